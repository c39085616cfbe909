// Issue 16's fault test on the real service: three replica processes sharing PostgreSQL take
// 1,000 concurrent approvals for a region with room for exactly 100; one is killed (SIGKILL) in
// the middle of the race, restarted on its data folder, and sent its whole share again (a client
// retrying what it was never answered). Exactly 100 are approved across the three, the ledger is
// their sum, every decision acknowledged before the kill is stored as it was answered, and no
// application is decided twice.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/decision/application';
import { application } from '../support/factories';
import { createTestSchema, type TestSchema } from '../support/pg';
import { startServiceProcess, type ServiceProcess } from '../support/process';
import { copyRules, tempDir } from '../support/server';

// Starting three services (node + tsx), then a fourth: seconds each on a loaded machine. A hang guard, not a speed check.
const TEST_TIMEOUT_MS = 240_000;
const APPROVALS = 1000;
const FITS = 100;
const AMOUNT = 1_000;

let schema: TestSchema;
let rulesDir: string;
const running: ServiceProcess[] = [];
const IDENTIFIER_HASH_KEY = randomBytes(32).toString('hex');

beforeAll(async () => {
  schema = await createTestSchema('replicas_crash');
  rulesDir = copyRules();
  const file = path.join(rulesDir, 'limits', 'regions.json');
  const regions = JSON.parse(readFileSync(file, 'utf8'));
  regions.regions.tight = { limit: FITS * AMOUNT, warnAt: 0.95 };
  writeFileSync(file, JSON.stringify(regions));
});
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await schema?.drop();
});

const start = async (dataDir: string) => {
  const service = await startServiceProcess({
    DATA_DIR: dataDir,
    RULES_DIR: rulesDir,
    DATABASE_URL: schema.url,
    IDENTIFIER_HASH_KEY,
    DATABASE_STATEMENT_TIMEOUT_MS: '60000',
    GRAPH_RECLUSTER_EVERY: '0',
    GRAPH_RECLUSTER_INTERVAL_MS: '0',
  });
  running.push(service);
  return service;
};

type Answer = { status: number; body: { decisionId: string; outcome: string; applicationId: string } } | undefined;

const decide = (service: ServiceProcess, app: Application): Promise<Answer> =>
  fetch(`${service.url}/decide`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: service.authorization }, body: JSON.stringify(app) }).then(
    async (res) => ({ status: res.status, body: (await res.json()) as { decisionId: string; outcome: string; applicationId: string } }),
    () => undefined, // refused or reset: never acknowledged
  );

describe('three replicas, one killed mid-race', () => {
  it(
    'approves exactly the 100 that fit, keeps every acknowledged decision, decides no application twice',
    async () => {
      // One shared "origination" identity: the development admin key each replica generates has the same id.
      const dataDirs = [tempDir(), tempDir(), tempDir()];
      const replicas = await Promise.all(dataDirs.map(start));
      const apps = Array.from({ length: APPROVALS }, () => application({ region: 'tight', amount: AMOUNT }));
      const share = (i: number) => apps.filter((_, n) => n % 3 === i);
      const victim = replicas[2] as ServiceProcess;

      // Each replica gets its share 30 at a time; the victim dies once it has answered 40.
      const answers = new Map<string, Answer>();
      let victimAnswered = 0;
      const drive = async (replica: ServiceProcess, list: Application[], onAnswer?: () => void) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 30 }, async () => {
            while (next < list.length) {
              const app = list[next++] as Application;
              const answer = await decide(replica, app);
              answers.set(app.applicationId, answer);
              if (answer?.status === 200) onAnswer?.();
            }
          }),
        );
      };
      await Promise.all([
        drive(replicas[0] as ServiceProcess, share(0)),
        drive(replicas[1] as ServiceProcess, share(1)),
        drive(victim, share(2), () => {
          if (++victimAnswered === 40) victim.child.kill('SIGKILL');
        }),
      ]);
      await victim.exited;
      const acknowledgedBeforeKill = share(2).filter((a) => answers.get(a.applicationId)?.status === 200);
      expect(acknowledgedBeforeKill.length).toBeGreaterThanOrEqual(40);
      expect(acknowledgedBeforeKill.length).toBeLessThan(share(2).length);

      // Restarted on its data folder, it is sent its whole share again.
      const restarted = await start(dataDirs[2] as string);
      const retried = new Map<string, Answer>();
      await Promise.all(share(2).map(async (app) => retried.set(app.applicationId, await decide(restarted, app))));
      expect([...retried.values()].filter((a) => a?.status !== 200)).toEqual([]);
      // What was answered before the kill is answered the same after it.
      for (const app of acknowledgedBeforeKill) expect(retried.get(app.applicationId)?.body.decisionId).toBe(answers.get(app.applicationId)?.body.decisionId);

      const final = apps.map((app) => (share(2).includes(app) ? retried.get(app.applicationId) : answers.get(app.applicationId)));
      expect(final.filter((a) => a?.status !== 200)).toEqual([]);
      expect(final.filter((a) => a?.body.outcome === 'approve')).toHaveLength(FITS);

      const ledger = await schema.pool.query<{ n: string; sum: string }>("SELECT count(*) AS n, sum(amount)::text AS sum FROM exposure_reservations WHERE region = 'tight' AND released_at IS NULL");
      expect(ledger.rows[0]).toEqual({ n: String(FITS), sum: String(FITS * AMOUNT) });
      const region = await schema.pool.query<{ reserved: string; approvals: number }>("SELECT reserved::text AS reserved, approvals FROM region_exposure WHERE region = 'tight'");
      expect(region.rows[0]).toEqual({ reserved: String(FITS * AMOUNT), approvals: FITS });
      const stored = await schema.pool.query<{ n: string; apps: string }>('SELECT count(*) AS n, count(DISTINCT application_id) AS apps FROM decisions');
      expect(stored.rows[0]).toEqual({ n: String(APPROVALS), apps: String(APPROVALS) });
      // Every approval the ledger holds is a stored approval with the id its caller was given.
      const approvedIds = final.filter((a) => a?.body.outcome === 'approve').map((a) => a?.body.decisionId);
      const booked = await schema.pool.query<{ decision_id: string }>("SELECT decision_id FROM exposure_reservations WHERE region = 'tight'");
      expect(booked.rows.map((r) => r.decision_id).sort()).toEqual([...approvedIds].sort());
    },
    TEST_TIMEOUT_MS,
  );
});

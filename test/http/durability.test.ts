// Nothing acknowledged is lost: a decision that got a 200 is in the audit store, even if the
// process is killed the next instant; SIGTERM drains in-flight requests before exiting.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startServiceProcess, type ServiceProcess } from '../support/process';
import { copyRules, tempDir } from '../support/server';

// Each test starts the service (node + tsx) twice: seconds each on a loaded machine. A hang guard,
// not a speed check.
const PROCESS_TEST_TIMEOUT_MS = 120_000;

let running: ServiceProcess | undefined;
afterEach(() => {
  running?.child.kill('SIGKILL');
  running = undefined;
});

/** A request with the development admin key the service generated into its DATA_DIR. */
const call = (service: ServiceProcess, pathname: string, init: RequestInit = {}) =>
  fetch(`${service.url}${pathname}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: service.authorization } });

const decide = (service: ServiceProcess, overrides: Parameters<typeof application>[0] = {}) =>
  call(service, '/decide', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(application(overrides)) }).then(
    async (res) => ({ status: res.status, body: (await res.json()) as { decisionId: string; outcome: string } }),
    () => undefined, // connection refused or reset: never acknowledged
  );

describe('durability', () => {
  it('kill -9 during concurrent decisions: every acknowledged decision is in the store after restart', async () => {
    const dataDir = tempDir();
    running = await startServiceProcess({ DATA_DIR: dataDir });
    const service = running;
    const acknowledged: string[] = [];
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const res = await decide(service);
        if (res?.status === 200) acknowledged.push(res.body.decisionId);
        if (acknowledged.length >= 150 && !killed) {
          killed = true;
          running?.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await running.exited;

    running = await startServiceProcess({ DATA_DIR: dataDir });
    const missing: string[] = [];
    for (const id of acknowledged) {
      const res = await call(running, `/decisions/${id}`);
      if (res.status !== 200) missing.push(id);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(missing).toEqual([]);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('SIGTERM: in-flight requests finish, the process exits 0, and their decisions are stored', async () => {
    const dataDir = tempDir();
    running = await startServiceProcess({ DATA_DIR: dataDir });
    const service = running;
    // The signal lands once the service is answering the burst (its first answer), while the rest
    // of the 40 are still in flight.
    let answered = 0;
    let firstAnswer!: () => void;
    const answering = new Promise<void>((resolve) => (firstAnswer = resolve));
    const inFlight = Array.from({ length: 40 }, () =>
      decide(service).then((res) => {
        answered++;
        firstAnswer();
        return res;
      }),
    );
    await answering;
    const answeredBeforeSignal = answered;
    running.child.kill('SIGTERM');
    const results = await Promise.all(inFlight);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('"msg":"stopped"');
    const acknowledged = results.filter((r) => r?.status === 200).map((r) => r!.body.decisionId);
    expect(results.every((r) => r === undefined || r.status === 200)).toBe(true);
    // Requests in flight when the signal came were answered after it, not cut off.
    expect(acknowledged.length).toBeGreaterThan(answeredBeforeSignal);

    running = await startServiceProcess({ DATA_DIR: dataDir });
    for (const id of acknowledged) expect((await call(running, `/decisions/${id}`)).status).toBe(200);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('kill -9 during concurrent approvals: after restart the ledger equals the stored live approvals and never exceeds the limit', async () => {
    const dataDir = tempDir();
    const rulesDir = copyRules();
    const regionsFile = path.join(rulesDir, 'limits', 'regions.json');
    const regions = JSON.parse(readFileSync(regionsFile, 'utf8'));
    regions.regions.tight = { limit: 60_000, warnAt: 0.9 };
    writeFileSync(regionsFile, JSON.stringify(regions));
    const env = { DATA_DIR: dataDir, RULES_DIR: rulesDir };
    running = await startServiceProcess(env);
    const service = running;
    const approved: string[] = [];
    let answered = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const res = await decide(service, { region: 'tight', amount: 1_000 });
        if (res?.status === 200) {
          answered++;
          if (res.body.outcome === 'approve') approved.push(res.body.decisionId);
        }
        // Past the 60 approvals that fit: the kill lands while requests race for a full region.
        if (answered >= 90 && !killed) {
          killed = true;
          running?.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await running.exited;

    const db = new Database(path.join(dataDir, 'audit.db'), { readonly: true });
    const live = db.prepare("SELECT COALESCE(SUM(amount), 0) AS sum, COUNT(*) AS n FROM exposure_reservations WHERE region = 'tight' AND released_at IS NULL").get() as { sum: number; n: number };
    const approvals = db
      .prepare("SELECT COUNT(*) AS n FROM decisions WHERE region = 'tight' AND status = 'final' AND COALESCE(current_outcome, outcome) = 'approve'")
      .get() as { n: number };
    const orphans = db
      .prepare("SELECT COUNT(*) AS n FROM decisions d LEFT JOIN exposure_reservations r ON r.decision_id = d.decision_id WHERE d.region = 'tight' AND d.outcome = 'approve' AND r.decision_id IS NULL")
      .get() as { n: number };
    db.close();
    expect(approvals.n).toBe(live.n);
    expect(orphans.n).toBe(0);
    expect(live.sum).toBeLessThanOrEqual(60_000);
    expect(live.sum).toBeGreaterThanOrEqual(approved.length * 1_000);

    running = await startServiceProcess(env);
    const report = (await (await call(running, '/limits/regions')).json()) as { regions: { region: string; reserved: number; liveApprovals: number }[] };
    expect(report.regions.find((r) => r.region === 'tight')).toMatchObject({ reserved: live.sum, liveApprovals: live.n });
    for (const id of approved) expect((await call(running, `/decisions/${id}`)).status).toBe(200);
  }, PROCESS_TEST_TIMEOUT_MS);
});

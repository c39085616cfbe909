// Several replicas sharing PostgreSQL (DATABASE_URL), each a real service on its own port with its
// own data folder: what one decides, every other knows within the stream's lag (its velocity, its
// graph, GET /decisions/:id); approvals spread over all of them never take more of a region's
// limit than there is; an application sent to several at once is decided once; a replica started
// late catches up before it answers; replicas hashing identifiers with different keys are refused.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings';
import { createService } from '../../src/main';
import { encodeStoredDocument } from '../../src/store/decision-writer';
import { createLogger } from '../../src/observability/logger';
import { application } from '../support/factories';
import { createTestSchema, type TestSchema } from '../support/pg';
import { copyRules, startTestServer, tempDir, type TestServer } from '../support/server';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Grade C at 12,000: the approval matrix sends it to review at L2 (as in approval.test.ts). */
const REVIEW_AT_L2 = () =>
  application({ amount: 12_000, termMonths: 24, applicant: { checkingAccountStatus: 'none', creditHistory: 'paid_duly', savingsAccountBonds: 'lt_100' } });

let schema: TestSchema;
let rulesDir: string;
const replicas: TestServer[] = [];
const IDENTIFIER_HASH_KEY = randomBytes(32).toString('hex');
/**
 * Tests check correctness under concurrency, not how long a hot region's queue may grow: 600
 * approvals of one region queue on its row lock, and on a loaded machine that takes longer than
 * the production wait of 5 s (past which a replica answers 503 with Retry-After).
 */
const TEST_DATABASE_ENV = { DATABASE_STATEMENT_TIMEOUT_MS: '60000' };

const startReplica = (env: Record<string, string> = {}) =>
  startTestServer({ rulesDir, env: { DATABASE_URL: schema.url, IDENTIFIER_HASH_KEY, GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0', ...TEST_DATABASE_ENV, ...env } });

/** Polls until `check` holds (the stream's lag is milliseconds; the bound only keeps a broken build from hanging). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  schema = await createTestSchema('replicas');
  rulesDir = copyRules();
  const file = path.join(rulesDir, 'limits', 'regions.json');
  const regions = JSON.parse(readFileSync(file, 'utf8'));
  regions.regions.tight = { limit: 25_000, warnAt: 0.95 };
  writeFileSync(file, JSON.stringify(regions));
  for (let i = 0; i < 3; i++) replicas.push(await startReplica());
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await schema?.drop();
});

const a = () => replicas[0] as TestServer;
const b = () => replicas[1] as TestServer;
const c = () => replicas[2] as TestServer;

describe('replicas sharing PostgreSQL', () => {
  it('a decision made on one replica is read back from the others, and counts in their velocity', async () => {
    const phone = '+86 139 0000 4242';
    const first = await a().as('los').post('/decide', application({ identifiers: { phone } }));
    expect(first.status).toBe(200);
    const onB = await eventually(() => b().get(`/decisions/${first.body.decisionId}`), (r) => r.status === 200);
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ decisionId: first.body.decisionId, outcome: first.body.outcome, caller: 'key:los' });
    const second = await b().as('los').post('/decide', application({ identifiers: { phone } }));
    expect(second.status).toBe(200);
    const seen = await b().get(`/decisions/${second.body.decisionId}`);
    expect(seen.body.facts.velocity.phone).toBe(2);
    // And the third replica's fraud graph links the two through the shared phone.
    const network = await eventually(
      () => c().as('investigator').get(`/applications/${second.body.applicationId}/network?depth=2`),
      (r) => r.status === 200 && JSON.stringify(r.body).includes(first.body.applicationId),
    );
    expect(JSON.stringify(network.body)).toContain(first.body.applicationId);
  });

  // The 1,000-approval race with a replica killed half-way is test/http/replicas-crash.test.ts, on real processes.
  it('150 concurrent approvals spread over three replicas against a limit that fits exactly 25: exactly 25 approved, the ledger their sum', async () => {
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => (replicas[i % 3] as TestServer).as('los').post('/decide', application({ region: 'tight', amount: 1_000 }))));
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    const approved = results.filter((r) => r.body.outcome === 'approve');
    expect(approved).toHaveLength(25);
    expect(approved.reduce((sum, r) => sum + r.body.offer.limit, 0)).toBe(25_000);
    const turnedAway = results.filter((r) => r.body.outcome !== 'approve');
    expect(turnedAway.every((r) => r.body.reasons.some((x: { code: string }) => x.code === 'REGION_LIMIT_EXCEEDED'))).toBe(true);
    const ledger = await schema.pool.query<{ n: string; sum: string }>("SELECT count(*) AS n, sum(amount)::text AS sum FROM exposure_reservations WHERE region = 'tight' AND released_at IS NULL");
    expect(ledger.rows[0]).toEqual({ n: '25', sum: '25000' });
    // Every replica's own view of the region follows, whichever replica booked.
    for (const replica of replicas) {
      const tight = await eventually(
        async () => ((await replica.get('/limits/regions')).body.regions as { region: string; reserved: number }[]).find((r) => r.region === 'tight'),
        (r) => r?.reserved === 25_000,
      );
      expect(tight).toMatchObject({ reserved: 25_000, liveApprovals: 25, status: 'full' });
    }
  }, 120_000);

  it('an application sent to every replica at once is decided once; each answers with that decision', async () => {
    const applications = Array.from({ length: 20 }, () => application());
    const results = await Promise.all(applications.flatMap((app) => replicas.map((r) => r.as('los').post('/decide', app))));
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    for (let i = 0; i < applications.length; i++) {
      const answers = results.slice(3 * i, 3 * i + 3);
      expect(new Set(answers.map((r) => r.body.decisionId)).size).toBe(1);
    }
    const stored = await schema.pool.query<{ n: string }>('SELECT count(*) AS n FROM decisions WHERE application_id = ANY($1)', [applications.map((x) => x.applicationId)]);
    expect(stored.rows[0]?.n).toBe('20');
    // The same id with another body, on another replica: 409, as on one instance.
    const reused = await b().as('los').post('/decide', { ...applications[0], amount: 9_999 });
    expect(reused.status).toBe(409);
  });

  it('a sign-off on one replica and a cancel on another change the decision and its region on every replica', async () => {
    const sent = await a().as('los').post('/decide', REVIEW_AT_L2());
    expect(sent.body).toMatchObject({ outcome: 'review', approvalLevel: 'L2' });
    const id = sent.body.decisionId as string;
    // B's review queue holds it once it has its copy.
    const queued = await eventually(() => b().as('reviewerL2').get('/decisions?status=awaiting_review&region=east&approvalLevel=L2&sort=newest&limit=100'), (r) => r.body.decisions?.some((d: { decisionId: string }) => d.decisionId === id));
    expect(queued.body.decisions.map((d: { decisionId: string }) => d.decisionId)).toContain(id);
    expect((await b().as('reviewerL3').post(`/decisions/${id}/review`, { outcome: 'approve', note: 'verified income' })).status).toBe(200);
    // Signing it again on C finds it signed: 409, as on one instance.
    const twice = await eventually(() => c().as('reviewerL3').post(`/decisions/${id}/review`, { outcome: 'decline' }), (r) => r.status === 409);
    expect(twice.status).toBe(409);
    for (const replica of replicas) {
      const seen = await eventually(() => replica.get(`/decisions/${id}`), (r) => r.body.status === 'final');
      expect(seen.body).toMatchObject({ status: 'final', currentOutcome: 'approve', history: [{ type: 'signed_off', detail: { reviewer: 'key:reviewerL3', note: 'verified income' } }], reservation: { amount: 12_000 } });
    }
    expect((await c().post(`/decisions/${id}/cancel`, { note: 'not taken up' })).status).toBe(200);
    expect((await a().post(`/decisions/${id}/cancel`, {})).status).toBe(409);
    for (const replica of replicas) {
      const seen = await eventually(() => replica.get(`/decisions/${id}`), (r) => r.body.status === 'cancelled');
      expect(seen.body).toMatchObject({ status: 'cancelled', reservation: { releasedAt: expect.any(Number) } });
      expect(seen.body.history.map((h: { type: string }) => h.type)).toEqual(['signed_off', 'cancelled']);
    }
    const live = await schema.pool.query('SELECT 1 FROM exposure_reservations WHERE decision_id = $1 AND released_at IS NULL', [id]);
    expect(live.rowCount).toBe(0);
  });

  it('a label on one replica is in force on every replica; clearing it takes two investigators on any two', async () => {
    const decided = await a().as('los').post('/decide', application({ identifiers: { phone: '+86 139 0000 7777' } }));
    const appId = decided.body.applicationId as string;
    await eventually(() => c().get(`/decisions/${decided.body.decisionId}`), (r) => r.status === 200);
    const fraud = await b().as('investigator').post(`/applications/${appId}/labels`, { label: 'fraud', note: 'mule' });
    expect(fraud.status).toBe(201);
    for (const replica of replicas) {
      const labels = await eventually(() => replica.as('investigator').get(`/applications/${appId}/labels`), (r) => r.body.label === 'fraud');
      expect(labels.body).toMatchObject({ label: 'fraud', history: [{ label: 'fraud', by: 'key:investigator', note: 'mule' }] });
      // The replica's fraud graph has it: the application's node carries the label.
      const network = await replica.as('investigator').get(`/applications/${appId}/network?depth=1`);
      expect(JSON.stringify(network.body)).toMatch(/"label":"fraud"/);
    }
    // A clearance requested on C, confirmed on A by the same investigator: refused; by a second: done everywhere.
    expect((await c().as('investigator').post(`/applications/${appId}/labels`, { label: 'legit', note: 'paid back' })).status).toBe(202);
    const own = await eventually(() => a().as('investigator').post(`/applications/${appId}/labels`, { label: 'legit' }), (r) => r.status === 409);
    expect(own.body.error.code).toBe('FOUR_EYES_REQUIRED');
    expect((await a().as('secondInvestigator').post(`/applications/${appId}/labels`, { label: 'legit' })).status).toBe(201);
    for (const replica of replicas) {
      const labels = await eventually(() => replica.as('investigator').get(`/applications/${appId}/labels`), (r) => r.body.label === 'legit');
      expect(labels.body).toMatchObject({ label: 'legit', clearance: null });
      expect(labels.body.history.at(-1)).toMatchObject({ label: 'legit', by: 'key:investigator', confirmedBy: 'key:secondInvestigator' });
    }
  });

  it('one replica reclusters; every replica answers GET /clusters with its clustering, and a cursor from one pages on another', async () => {
    // A device farm decided across the three replicas.
    const farm = Array.from({ length: 9 }, (_, k) => application({ identifiers: { deviceId: `FARM-DEVICE-${k % 2}`, phone: `+86 139 5555 ${String(1000 + (k % 3)).padStart(4, '0')}` } }));
    // And a second, smaller ring, so the clusters take more than one page.
    const pair = Array.from({ length: 3 }, () => application({ identifiers: { deviceId: 'PAIR-DEVICE', email: 'pair.ring@example.com' } }));
    const sent = await Promise.all([...farm, ...pair].map((app, k) => (replicas[k % 3] as TestServer).as('los').post('/decide', app)));
    expect(sent.every((r) => r.status === 200)).toBe(true);
    for (const replica of replicas) for (const r of sent) await eventually(() => replica.get(`/decisions/${r.body.decisionId}`), (got) => got.status === 200);
    // Asked on every replica: the lease holder starts it, the others pass the request on.
    const asked = await Promise.all(replicas.map((r) => r.post('/clusters/recluster', {})));
    expect(asked.filter((r) => r.status !== 202).map((r) => [r.status, r.body])).toEqual([]);
    expect(asked.filter((r) => r.body.state !== 'requested')).toHaveLength(1);
    // Every replica ends on the same clustering, the ring in it (a request passed on may have run one more).
    const all = (replica: TestServer) => replica.as('investigator').get('/clusters?limit=100&sort=size').then((r) => ({ generation: r.body.clustering?.generation, clusters: r.body.clusters }));
    let answers = await Promise.all(replicas.map(all));
    for (const until = Date.now() + 15_000; Date.now() < until; answers = await Promise.all(replicas.map(all))) {
      const agreed = answers.every((x) => x.generation === answers[0]?.generation && JSON.stringify(x.clusters) === JSON.stringify(answers[0]?.clusters));
      if (agreed && answers[0]?.clusters?.some((c: { size: number }) => c.size >= 9)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(answers[0]?.generation).toEqual(expect.any(Number));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const ring = (answers[0]?.clusters as { id: string; size: number }[]).find((c) => c.size >= 9);
    expect(ring).toBeDefined();
    const detail = await c().as('investigator').get(`/clusters/${ring?.id}`);
    expect(detail.status).toBe(200);
    expect(new Set(detail.body.members.map((m: { applicationId: string }) => m.applicationId))).toEqual(new Set(farm.map((f) => f.applicationId)));
    // A cursor issued by one replica continues on another.
    const firstPage = await a().as('investigator').get('/clusters?limit=1&sort=size');
    expect(firstPage.body.nextCursor).toEqual(expect.any(String));
    const next = await b().as('investigator').get(`/clusters?limit=1&sort=size&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`);
    expect(next.status).toBe(200);
    expect(next.body.clusters[0]?.id).toBe((answers[0]?.clusters as { id: string }[])[1]?.id);
  });

  it('a loan outcome reported to one replica is in every replica\'s history and calibration, counted once where reported', async () => {
    const decided = await a().as('los').post('/decide', application());
    expect(decided.body.outcome).toBe('approve');
    await eventually(() => c().get(`/decisions/${decided.body.decisionId}`), (r) => r.status === 200);
    const at = new Date().toISOString();
    const reported = await c().as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'defaulted', at });
    expect(reported.status).toBe(200);
    // Reported again through another replica: the same report changes nothing.
    expect((await b().as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'defaulted', at })).body.changed).toBe(false);
    for (const replica of replicas) {
      const seen = await eventually(() => replica.get(`/decisions/${decided.body.decisionId}`), (r) => r.body.history?.some((h: { type: string }) => h.type === 'outcome_recorded'));
      expect(seen.body.history.filter((h: { type: string }) => h.type === 'outcome_recorded')).toHaveLength(1);
      const metrics = await eventually(() => replica.as('monitoring').get('/metrics'), (r) => /loan_observed_bad_rate\{grade="/.test(r.body));
      expect(metrics.body).toMatch(/loan_observed_bad_rate\{grade="[A-E]"\} 1/);
      expect(/loan_outcomes_total\{status="defaulted"\} 1/.test(metrics.body)).toBe(replica === c());
    }
  });

  it('history imported through one replica is on every replica, labels included; a batch with a conflict found on the database loads nothing', async () => {
    const HOUR = 3_600_000;
    const phone = '+86 139 0000 3333';
    const line = (id: string, hoursAgo: number, extra: Record<string, unknown> = {}) => ({
      ...application({ applicationId: id, identifiers: { phone, deviceId: `dev-${id}` } }),
      submittedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
      ...extra,
    });
    const batch = [line(`H-${process.pid}-1`, 3, { outcome: 'approve' }), line(`H-${process.pid}-2`, 2, { label: 'fraud' })];
    const imported = await a().post('/history', { applications: batch });
    expect(imported.body).toEqual({ imported: 2, alreadyPresent: 0 });
    expect((await b().post('/history', { applications: batch })).body).toEqual({ imported: 0, alreadyPresent: 2 });
    for (const replica of replicas) {
      const labels = await eventually(() => replica.as('investigator').get(`/applications/${batch[1]?.applicationId}/labels`), (r) => r.body.label === 'fraud');
      expect(labels.body.history).toEqual([expect.objectContaining({ label: 'fraud', note: 'imported with its history' })]);
    }
    // The next decision on C counts both in its velocity and sees the labelled fraud it shares a phone with.
    const decided = await c().as('los').post('/decide', application({ identifiers: { phone } }));
    const stored = await c().get(`/decisions/${decided.body.decisionId}`);
    expect(stored.body.facts.velocity.phone).toBe(3);
    expect(stored.body.facts.fraud.sharedWithLabelledFraud).toBe(true);
    // A batch whose second line reuses an id another replica has just committed, with another body,
    // before its stream event reached this one (written here without one): refused at commit, whole.
    const takenId = `H-${process.pid}-taken`;
    await schema.pool.query(
      `INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, record, status, fraud_evidence, source)
       VALUES ($1, $2, 'another body', 'personal_loan', 'east', 'decline', 'v', $3, $4, 'final', false, 'decided')`,
      [`d-${takenId}`, takenId, Date.now(), encodeStoredDocument('{}')],
    );
    const clash = [line(`H-${process.pid}-3`, 1), line(takenId, 1)];
    const refused = await a().post('/history', { applications: clash });
    expect(refused.status).toBe(409);
    const none = await schema.pool.query('SELECT 1 FROM decisions WHERE application_id = $1', [`H-${process.pid}-3`]);
    expect(none.rowCount).toBe(0);
    // The planted row has no stream event: no replica holds it, so it goes.
    await schema.pool.query('DELETE FROM decisions WHERE application_id = $1', [takenId]);
    const ready = await a().anonymous().get('/ready');
    expect(ready.body.checks.database).toMatchObject({ ok: true });
  });

  it('a replica started late has every decision before it answers', async () => {
    const made = await c().as('los').post('/decide', application());
    const late = await startReplica();
    replicas.push(late);
    const read = await late.get(`/decisions/${made.body.decisionId}`);
    expect(read.status).toBe(200);
    const total = await schema.pool.query<{ n: string }>('SELECT count(*) AS n FROM decisions');
    expect(late.service.store.countDecisions()).toBe(Number(total.rows[0]?.n));
  });

  it('refuses to start a replica that hashes identifiers with another key', async () => {
    const settings = loadSettings({
      NODE_ENV: 'test',
      DATA_DIR: tempDir(),
      RULES_DIR: rulesDir,
      RULES_WATCH: 'false',
      DATABASE_URL: schema.url,
      IDENTIFIER_HASH_KEY: randomBytes(32).toString('hex'),
    });
    await expect(createService(settings, createLogger('silent'))).rejects.toThrow(/same IDENTIFIER_HASH_KEY/);
  });
});

// Retention with several replicas sharing PostgreSQL: one replica (the sweep lease's holder)
// purges the shared database, every replica's local copy forgets the same identifiers and
// decisions from the stream, and a replica that was away, or starts afresh, never brings back what
// was purged. Pending decisions are kept whatever their age.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { application } from '../support/factories';
import { createTestSchema, type TestSchema } from '../support/pg';
import { startTestServer, tempDir, type TestServer } from '../support/server';

const DAY = 86_400_000;
const T0 = Date.UTC(2027, 0, 1);
const phoneOf = (i: number) => `+86 139 0000 77${String(i).padStart(2, '0')}`;
const IDENTIFIER_HASH_KEY = randomBytes(32).toString('hex');
/** Grade C at 12,000: the approval matrix sends it to review (as in approval.test.ts); nobody signs it off here. */
const REFERRED = { amount: 12_000, termMonths: 24, applicant: { checkingAccountStatus: 'none', creditHistory: 'paid_duly', savingsAccountBonds: 'lt_100' } } as const;

let schema: TestSchema;
let now = T0;
const dirs = { a: tempDir(), b: tempDir() };
const running: TestServer[] = [];

const startReplica = async (dataDir = tempDir()) => {
  const server = await startTestServer({
    dataDir,
    env: { DATABASE_URL: schema.url, IDENTIFIER_HASH_KEY, RETENTION_SWEEP_MS: '0', EXPIRY_SWEEP_MS: '100', GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0', DATABASE_STATEMENT_TIMEOUT_MS: '60000' },
    overrides: { clock: () => now },
  });
  running.push(server);
  return server;
};

/** How many rows of the shared database name these decisions, table by table. */
async function sharedRows(decisionIds: readonly string[], applicationIds: readonly string[]) {
  const count = async (sql: string, ids: readonly string[]) => Number((await schema.pool.query<{ n: string }>(sql, [ids])).rows[0]?.n);
  return {
    decisions: await count('SELECT count(*) AS n FROM decisions WHERE decision_id = ANY($1)', decisionIds),
    identifiers: await count('SELECT count(*) AS n FROM application_identifiers WHERE application_id = ANY($1)', applicationIds),
    events: await count('SELECT count(*) AS n FROM decision_events WHERE decision_id = ANY($1)', decisionIds),
    labels: await count('SELECT count(*) AS n FROM application_labels WHERE application_id = ANY($1)', applicationIds),
    labelEvents: await count(`SELECT count(*) AS n FROM decision_events WHERE payload->>'kind' = 'labelled' AND payload->'outcome'->'record'->>'applicationId' = ANY($1)`, applicationIds),
  };
}

beforeAll(async () => {
  schema = await createTestSchema('replicas_retention');
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.close().catch(() => undefined)));
  await schema?.drop();
});

describe('retention across replicas', () => {
  it('identifiers, then decisions, are forgotten on the shared database and on every copy; nothing purged comes back', async () => {
    let a = await startReplica(dirs.a);
    let b = await startReplica(dirs.b);
    const olds = [];
    for (let i = 0; i < 4; i++) {
      const replica = i % 2 === 0 ? a : b;
      const res = await replica.post('/decide', application({ applicationId: `RR-OLD-${i}`, identifiers: { phone: phoneOf(i), deviceId: `rr-dev-${i}` } }));
      expect(res.status).toBe(200);
      olds.push(res.body as { decisionId: string; outcome: string });
    }
    const referred = await a.post('/decide', application({ applicationId: 'RR-REFERRED', identifiers: { phone: phoneOf(99) }, ...REFERRED }));
    expect(referred.body.outcome).toBe('review');
    const labelled = await b.as('investigator').post('/applications/RR-OLD-1/labels', { label: 'legit', note: 'checked by phone' });
    expect(labelled.status).toBe(201);
    const oldIds = olds.map((o) => o.decisionId);
    const oldApps = olds.map((_, i) => `RR-OLD-${i}`);
    const hashes: string[] = [];
    for (const id of oldIds) hashes.push((await a.get(`/decisions/${id}`)).body.request.identifiers.phone.hash as string);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const holdsAnyHash = (body: unknown) => hashes.some((hash) => JSON.stringify(body).includes(hash));
    await vi.waitFor(async () => expect((await b.get(`/decisions/${oldIds[0]}`)).status).toBe(200), { timeout: 10_000 });

    // 800 days on: past the identifiers' 730, within the decisions' 1825. Approvals hold exposure
    // until they expire, and a decision holding it is kept: wait for the expiry sweep.
    now = T0 + 800 * DAY;
    await vi.waitFor(async () => expect((await schema.pool.query('SELECT 1 FROM exposure_reservations WHERE released_at IS NULL AND decision_id = ANY($1)', [oldIds])).rowCount).toBe(0), {
      timeout: 15_000,
    });
    const [onA, onB] = await Promise.all([a.service.retention.sweep(), b.service.retention.sweep()]);
    // Both sweep at once; the lease lets one purge, the other finds it held.
    expect(onA.identifiers + onB.identifiers).toBe(4);
    expect(onA.keptPending + onB.keptPending).toBe(1);
    expect(await sharedRows(oldIds, oldApps)).toMatchObject({ decisions: 4, identifiers: 0 });
    const events = await schema.pool.query<{ payload: unknown }>('SELECT payload FROM decision_events WHERE decision_id = ANY($1)', [oldIds]);
    expect(holdsAnyHash(events.rows)).toBe(false);
    for (const replica of [a, b]) {
      for (const id of oldIds) await vi.waitFor(async () => expect(holdsAnyHash((await replica.get(`/decisions/${id}`)).body)).toBe(false), { timeout: 10_000 });
      const read = await replica.get(`/decisions/${oldIds[0]}`);
      expect(read.status).toBe(200);
      expect(read.body.outcome).toBe(olds[0]?.outcome);
    }
    // The referred decision is pending: its identifiers stay.
    expect((await schema.pool.query('SELECT 1 FROM application_identifiers WHERE application_id = $1', ['RR-REFERRED'])).rowCount).toBeGreaterThan(0);
    // A replica starting afresh copies the decisions as they now are.
    const fresh = await startReplica();
    expect(fresh.service.store.getDecision(oldIds[2] as string)).toBeDefined();
    for (const id of oldIds) expect(holdsAnyHash((await fresh.get(`/decisions/${id}`)).body)).toBe(false);

    // 2,000 days on: past the decisions' 1825. B is away during the sweep.
    await b.close();
    running.splice(running.indexOf(b), 1);
    now = T0 + 2000 * DAY;
    const swept = await a.service.retention.sweep();
    // The referred decision is still pending: kept by both passes.
    expect(swept).toMatchObject({ decisions: 4, keptPending: 2 });
    expect(await sharedRows(oldIds, oldApps)).toEqual({ decisions: 0, identifiers: 0, events: 0, labels: 0, labelEvents: 0 });
    expect((await a.get(`/decisions/${oldIds[1]}`)).status).toBe(404);
    expect((await a.get(`/decisions/${referred.body.decisionId}`)).status).toBe(200);
    // The fresh replica follows the purge from the stream.
    await vi.waitFor(async () => expect((await fresh.get(`/decisions/${oldIds[3]}`)).status).toBe(404), { timeout: 10_000 });
    expect((await fresh.as('investigator').get('/applications/RR-OLD-1/labels')).status).toBe(404);

    // B comes back with the old decisions in its copy: catching up, it forgets them too.
    b = await startReplica(dirs.b);
    for (const id of oldIds) expect(b.service.store.getDecision(id)).toBeUndefined();
    expect(b.service.store.database.prepare('SELECT count(*) AS n FROM application_labels WHERE application_id = ?').get('RR-OLD-1')).toEqual({ n: 0 });
    // And one starting afresh after the purge has none of them.
    const late = await startReplica();
    const total = Number((await schema.pool.query<{ n: string }>('SELECT count(*) AS n FROM decisions')).rows[0]?.n);
    expect(late.service.store.countDecisions()).toBe(total);
    for (const id of oldIds) expect(late.service.store.getDecision(id)).toBeUndefined();
    a = running[0] as TestServer;
    expect(a.service.store.countDecisions()).toBe(total);
  });
});

// POST /backtests: an analyst asks what a rule edit would have done to the stored decisions, and
// polls for the report. The candidate is the serving rule set with one threshold tightened
// (applicants under 30 instead of 21 decline): exactly the stored decisions of applicants aged
// 21–29 that were not declined change, and nothing is written to decisions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store';
import { application } from '../support/factories';
import { copyRules, startTestServer, tempDir, type TestServer } from '../support/server';

const ENV = { IDENTIFIER_HASH_KEY: 'identifier-hash-key-for-backtest-api-tests-01', GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0', BACKTEST_THREADS: '2' };
const FLOW = 'flows/personal_loan.json';

let server: TestServer;
let rulesDir: string;
let dataDir: string;
/** Decision id → [applicant age, stored outcome]. */
const stored = new Map<string, [number, string]>();

const tightened = () => readFileSync(path.join(rulesDir, FLOW), 'utf8').replace('"< 21"', '"< 30"');

/** Polls until the backtest has finished (no clock to inject: it runs in other threads). */
async function finished(id: string, deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const res = await server.as('analyst').get(`/backtests/${id}`);
    expect(res.status).toBe(200);
    if (!['queued', 'running'].includes(res.body.status)) return res.body;
    if (Date.now() > until) throw new Error(`backtest ${id} still ${res.body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  rulesDir = copyRules();
  dataDir = tempDir();
  server = await startTestServer({ rulesDir, dataDir, env: ENV });
  for (let i = 0; i < 40; i++) {
    const age = 19 + i;
    const res = await server.post('/decide', application({ applicationId: `BTA-${i}`, region: i % 2 ? 'east' : 'north', amount: 1_000 + 250 * i, applicant: { age }, identifiers: { phone: `+86 139 5555 ${String(1000 + i)}` } }));
    expect(res.status).toBe(200);
    stored.set(res.body.decisionId, [age, res.body.outcome]);
  }
});
afterAll(() => server?.close());

describe('POST /backtests', () => {
  it('backtests a candidate in threads and reports exactly the decisions it changes, writing nothing', async () => {
    const decisionsBefore = server.service.store.countDecisions();
    const res = await server.as('analyst').post('/backtests', { changes: [{ path: FLOW, text: tightened() }], product: 'personal_loan' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/backtests/${res.body.backtestId}`);
    expect(res.body).toMatchObject({ status: expect.stringMatching(/queued|running/), base: server.service.rules.current.version, changedFiles: [FLOW], filter: { product: 'personal_loan', region: null } });
    expect(res.body.candidate).not.toBe(res.body.base);

    const done = await finished(res.body.backtestId);
    expect(done.status).toBe('done');
    const changes = [...stored].filter(([, [age, outcome]]) => age >= 21 && age < 30 && outcome !== 'decline').map(([id]) => id);
    expect(changes.length).toBeGreaterThan(3);
    expect(done.report).toMatchObject({ candidate: res.body.candidate, decisions: 40, changed: changes.length, skipped: 0 });
    expect([...done.changedSample].sort()).toEqual([...changes].sort());
    expect(done.progress).toEqual({ done: 40, total: 40 });
    const moved = done.report.groups.reduce((n: number, g: { transitions: Record<string, number> }) => n + Object.entries(g.transitions).filter(([k]) => k.endsWith('->decline') && !k.startsWith('decline')).reduce((a, [, v]) => a + v, 0), 0);
    expect(moved).toBe(changes.length);
    expect(server.service.store.countDecisions()).toBe(decisionsBefore);

    const list = await server.as('analyst').get('/backtests');
    expect(list.body.backtests[0]).toMatchObject({ backtestId: res.body.backtestId, status: 'done' });
    expect(list.body.backtests[0].report).toBeUndefined();
    expect(await server.as('monitoring').get('/metrics').then((m) => m.body)).toMatch(/backtests_total\{status="done"\} [1-9]/);
  });

  it('refuses a candidate with errors, naming file, line and JSON path as rules:check does', async () => {
    const broken = tightened().replace('"applicant.age": "< 30"', '"applicant.agee": "< 30"');
    const res = await server.as('analyst').post('/backtests', { changes: [{ path: FLOW, text: broken }] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CANDIDATE_RULES_INVALID');
    expect(res.body.error.details[0].path).toMatch(/^candidate\/flows\/personal_loan\.json:\d+:\d+ stages\[\d+\]/);
    expect(res.body.error.details[0].message).toMatch(/applicant\.agee/);
  });

  it('refuses a bad request, an unknown base, a file not in the base, and callers who are not analysts', async () => {
    const bad = await server.as('analyst').post('/backtests', { base: 'latest', changes: [{ path: '../etc/passwd.json', text: '{}' }], from: 'yesterday', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['base', 'changes[0].path', 'extra', 'from']);
    const unknown = await server.as('analyst').post('/backtests', { base: '0123456789abcdef' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details).toEqual([{ path: 'base', message: 'no rule set 0123456789abcdef in the archive' }]);
    const missing = await server.as('analyst').post('/backtests', { removals: ['lists/nope.json'] });
    expect(missing.body.error.details).toEqual([{ path: 'removals[0]', message: 'the base rule set has no file lists/nope.json' }]);
    const backwards = await server.as('analyst').post('/backtests', { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(backwards.body.error.details).toEqual([{ path: 'to', message: 'must be after from' }]);
    for (const caller of ['los', 'reviewerL3', 'investigator'] as const) expect((await server.as(caller).post('/backtests', {})).status).toBe(403);
    expect((await server.as('analyst').get('/backtests/not-an-id')).status).toBe(400);
    expect((await server.as('analyst').get('/backtests/00000000-0000-4000-8000-000000000000')).body.error.code).toBe('BACKTEST_NOT_FOUND');
  });

  it('queues three behind the running one, refuses a fifth with Retry-After, and cancels', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await server.as('analyst').post('/backtests', { changes: [{ path: FLOW, text: tightened() }] });
      expect(res.status).toBe(202);
      ids.push(res.body.backtestId);
    }
    const fifth = await server.as('analyst').post('/backtests', {});
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('TOO_MANY_BACKTESTS');
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
    // The last is still queued behind the running one: cancelled at once, by whom is recorded.
    const cancelled = await server.as('analyst').post(`/backtests/${ids[3]}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^cancelled by /), report: null });
    for (const id of ids.slice(1, 3)) expect((await server.as('analyst').post(`/backtests/${id}/cancel`, {})).body.status).toBe('cancelled');
    await finished(ids[0] as string);
    const again = await server.as('analyst').post(`/backtests/${ids[0]}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('BACKTEST_STATE_CONFLICT');
  });

  it('after a restart, keeps finished reports and marks what the stop interrupted as failed, never running', async () => {
    const res = await server.as('analyst').post('/backtests', { changes: [{ path: FLOW, text: tightened() }] });
    const doneId = (await finished(res.body.backtestId)).backtestId;
    await server.close();
    // A process killed mid-backtest leaves its row "running": the next start must not show it so.
    const store = new AuditStore(path.join(dataDir, 'audit.db'));
    store.saveBacktest({ backtestId: '11111111-1111-4111-8111-111111111111', requestedBy: 'analyst', requestedAt: Date.now(), request: JSON.stringify({ base: 'x', candidate: 'y', changedFiles: [], removedFiles: [], filter: { from: 0, to: 1 } }), status: 'running', finishedAt: null, result: null, error: null });
    await store.close();
    server = await startTestServer({ rulesDir, dataDir, env: ENV });
    expect((await server.as('analyst').get(`/backtests/${doneId}`)).body).toMatchObject({ status: 'done', report: { changed: expect.any(Number) } });
    expect((await server.as('analyst').get('/backtests/11111111-1111-4111-8111-111111111111')).body).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
  });
});

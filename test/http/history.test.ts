// POST /history: an origination system back-fills past applications into the running service;
// a batch loads whole or not at all, and what it loads joins the graph and velocity at its own time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

const T0 = Date.UTC(2025, 8, 1);
const HOUR = 3_600_000;
let server: TestServer;
let now = T0 + 10 * HOUR;

beforeAll(async () => {
  server = await startTestServer({ env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' }, overrides: { clock: () => now } });
});
afterAll(() => server.close());

const line = (id: string, hoursAgo: number, extra: Record<string, unknown> = {}) => ({
  ...application({ applicationId: id, identifiers: { phone: '+86 139 5555 0001', deviceId: `dev-${id}` } }),
  submittedAt: new Date(now - hoursAgo * HOUR).toISOString(),
  ...extra,
});

describe('POST /history', () => {
  it('loads a batch at its own times: the next decision counts it in its velocity, and its labels apply', async () => {
    const res = await server.post('/history', { applications: [line('B-1', 3, { outcome: 'approve' }), line('B-2', 2, { label: 'fraud' }), line('B-3', 30)] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: 3, alreadyPresent: 0 });
    const decided = await server.post('/decide', application({ identifiers: { phone: '+86 139 5555 0001' } }));
    const stored = await server.get(`/decisions/${decided.body.decisionId}`);
    // B-1 and B-2 fall within the last 24 h; B-3 (30 h ago) does not.
    expect(stored.body.facts.velocity.phone).toBe(3);
    expect(stored.body.facts.fraud.sharedWithLabelledFraud).toBe(true);
    const imported = await server.get(`/decisions/${(await server.service.store.findByApplicationId('B-1'))!.decisionId}`);
    expect(imported.body).toMatchObject({ imported: true, outcome: 'approve', submittedAt: new Date(now - 3 * HOUR).toISOString() });
    expect(JSON.stringify(imported.body)).not.toContain('5555');
  });

  it('is idempotent: the same lines again are already present', async () => {
    const res = await server.post('/history', { applications: [line('B-1', 3, { outcome: 'approve' })] });
    expect(res.body).toEqual({ imported: 0, alreadyPresent: 1 });
  });

  it('refuses the whole batch, naming each bad line and field, when any line is bad', async () => {
    const res = await server.post('/history', {
      applications: [line('C-1', 1), line('C-2', 1, { product: 'car_lease' }), line('C-3', -48), line('B-1', 5), line('C-5', 1, { label: 'maybe' }), line('C-6', 1, { region: 'atlantis' })],
    });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(['applications[1].product', 'applications[2].submittedAt', 'applications[3].applicationId', 'applications[4].label', 'applications[5].region']);
    expect(res.body.error.details[1].message).toMatch(/in the future/);
    expect(await server.service.store.findByApplicationId('C-1')).toBeUndefined();
  });

  it('bounds the batch', async () => {
    expect((await server.post('/history', { applications: [] })).status).toBe(400);
    const many = Array.from({ length: 1001 }, (_, i) => ({ applicationId: `M-${i}` }));
    const res = await server.post('/history', { applications: many });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'applications' });
  });
});

// Retention through the service: a restart holds only the graph's window; a sweep forgets old
// identifiers (in the stored decision too), rebuilds the running graph for its window, and later
// deletes old decisions, as the API and the metrics show.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, tempDir, type TestServer } from '../support/server';

const DAY = 86_400_000;
const T0 = Date.UTC(2027, 0, 1);
const PHONE = '+86 139 0000 1188';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('retention', () => {
  it('a restart holds only the graph window: applications decided before it stay in the store, not in memory', async () => {
    const dataDir = tempDir();
    let now = T0;
    const start = () => startTestServer({ dataDir, env: { RETENTION_SWEEP_MS: '0' }, overrides: { clock: () => now } });
    server = await start();
    const old = await server.post('/decide', application({ applicationId: 'R-OLD', identifiers: { phone: PHONE } }));
    expect(old.status).toBe(200);
    await server.close();

    now = T0 + 800 * DAY;
    server = await start();
    expect(server.service.graph.identity.indexOf('R-OLD')).toBeUndefined();
    expect(server.service.graph.identity.applications).toBe(0);
    expect((await server.get(`/decisions/${old.body.decisionId}`)).status).toBe(200);
    // An application decided now, on the old one's phone, is not linked to it.
    const fresh = await server.post('/decide', application({ applicationId: 'R-NEW', identifiers: { phone: PHONE } }));
    expect(fresh.body.outcome).toBe('approve');
    expect((await server.as('investigator').get('/applications/R-NEW/network?depth=2')).body.nodes.map((n: { id: string }) => n.id).join(' ')).not.toContain('R-OLD');
  });

  it('sweeps: identifiers past 730 days are forgotten and the graph rebuilt for its window; decisions past 1825 days are deleted', async () => {
    let now = T0;
    server = await startTestServer({ env: { RETENTION_SWEEP_MS: '0', EXPIRY_SWEEP_MS: '100' }, overrides: { clock: () => now } });
    const s = server;
    const olds: Awaited<ReturnType<typeof s.post>>[] = [];
    for (let i = 0; i < 3; i++) olds.push(await s.post('/decide', application({ applicationId: `S-OLD-${i}`, identifiers: { phone: PHONE, deviceId: `dev-old-${i}` } })));
    const before = (await s.get(`/decisions/${olds[0]?.body.decisionId}`)).body;
    const hash = before.request.identifiers.phone.hash as string;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    now = T0 + 800 * DAY;
    // Approvals hold exposure until they expire; a decision still holding it is kept whatever its age.
    await vi.waitFor(() => expect(olds.every((o) => s.service.store.reservation(o.body.decisionId)?.releasedAt != null)).toBe(true), { timeout: 10_000 });
    await s.post('/decide', application({ applicationId: 'S-NEW', identifiers: { phone: PHONE } }));
    const first = await s.service.retention.sweep();
    expect(first).toMatchObject({ identifiers: 3, decisions: 0, graph: { before: 4, after: 1 } });
    const stripped = await s.get(`/decisions/${olds[0]?.body.decisionId}`);
    expect(stripped.status).toBe(200);
    expect(JSON.stringify(stripped.body)).not.toContain(hash);
    expect(stripped.body.request.identifiers.phone.masked).toBe('***1188');
    expect(stripped.body.outcome).toBe(before.outcome);
    expect((await s.as('investigator').get('/applications/S-OLD-0/network')).status).toBe(404);
    expect(s.service.graph.identity.indexOf('S-NEW')).toBeDefined();

    now = T0 + 2000 * DAY;
    const second = await s.service.retention.sweep();
    expect(second).toMatchObject({ decisions: 3 });
    expect((await s.get(`/decisions/${olds[0]?.body.decisionId}`)).status).toBe(404);
    // The application id is free again: nothing is left to answer a retry from.
    expect(s.service.store.findByApplicationId('S-OLD-0')).toBeUndefined();
    const metrics = (await s.get('/metrics')).body as string;
    expect(metrics).toMatch(/retention_purged_total\{kind="identifiers"\} 3/);
    expect(metrics).toMatch(/retention_purged_total\{kind="decisions"\} 3/);
  });

  it('refuses horizons that contradict each other, naming the setting', async () => {
    await expect(startTestServer({ env: { DECISION_RETENTION_DAYS: '365', IDENTIFIER_RETENTION_DAYS: '730' } })).rejects.toThrow(/IDENTIFIER_RETENTION_DAYS: at most DECISION_RETENTION_DAYS \(365\)/);
    await expect(startTestServer({ env: { GRAPH_WINDOW_DAYS: '0' } })).rejects.toThrow(/GRAPH_WINDOW_DAYS: at most IDENTIFIER_RETENTION_DAYS \(730\)/);
  });
});

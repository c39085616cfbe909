// A replica whose database goes away under load, and comes back: while it is gone, /ready says so
// and decisions answer 503 with Retry-After (never a 200 that was not stored); once it is back the
// replica reconnects by itself and decides again; every decision answered 200 at any point is in
// PostgreSQL. The network path is cut (a proxy resets every connection and refuses new ones, as a
// restarting server does) rather than the server stopped, since other test files share it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { createTestSchema, DATABASE_URL, schemaUrl, type TestSchema } from '../support/pg';
import { startTestServer, type TestServer } from '../support/server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let schema: TestSchema;
let proxy: TcpProxy;
let replica: TestServer;

beforeAll(async () => {
  schema = await createTestSchema('replicas_outage');
  const target = new URL(DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(schemaUrl(schema.name));
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  replica = await startTestServer({
    env: { DATABASE_URL: viaProxy.toString(), IDENTIFIER_HASH_KEY: randomBytes(32).toString('hex'), DATABASE_STATEMENT_TIMEOUT_MS: '2000', GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' },
  });
});
afterAll(async () => {
  await replica?.close();
  await proxy?.close();
  await schema?.drop();
});

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

describe('a replica losing its database under load', () => {
  it('answers 503 with Retry-After and not ready while it is gone, reconnects when it is back, and every 200 is stored', async () => {
    const acknowledged: string[] = [];
    const refused: { status: number; code: string; retryAfter: string | null; details: { path: string }[] }[] = [];
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop) {
          const res = await replica.as('los').post('/decide', application());
          if (res.status === 200) acknowledged.push(res.body.decisionId);
          else refused.push({ status: res.status, code: res.body.error?.code, retryAfter: res.headers.get('retry-after'), details: res.body.error?.details ?? [] });
        }
      }),
    );
    expect(await until(async () => acknowledged.length >= 30)).toBe(true);

    proxy.cut();
    const notReady = await until(async () => {
      const ready = await replica.anonymous().get('/ready');
      return ready.status === 503 && ready.body.checks.database?.ok === false;
    });
    expect(notReady).toBe(true);
    const refusedWhileDown = refused.length;
    expect(await until(async () => refused.length >= refusedWhileDown + 20)).toBe(true);

    proxy.restore();
    const ready = await until(async () => (await replica.anonymous().get('/ready')).status === 200);
    expect(ready).toBe(true);
    const afterwards = acknowledged.length;
    expect(await until(async () => acknowledged.length >= afterwards + 30)).toBe(true);
    stop = true;
    await load;

    // Every refusal said "not now" the way a client can act on: a commit that found the database
    // gone (DATABASE_UNAVAILABLE), or, once /ready knew, a request refused before deciding
    // (SERVICE_UNAVAILABLE, naming the database check).
    // Which of the two a request meets depends on whether /ready noticed first (a loaded machine decides).
    expect(refused.length).toBeGreaterThan(0);
    const notNow = (r: (typeof refused)[number]) =>
      r.status === 503 && r.retryAfter !== null && (r.code === 'DATABASE_UNAVAILABLE' || (r.code === 'SERVICE_UNAVAILABLE' && r.details.some((d) => d.path === 'database')));
    expect(refused.filter((r) => !notNow(r))).toEqual([]);
    // Nothing acknowledged is missing from the shared record.
    const stored = await schema.pool.query<{ decision_id: string }>('SELECT decision_id FROM decisions WHERE decision_id = ANY($1)', [acknowledged]);
    expect(stored.rowCount).toBe(acknowledged.length);
  }, 120_000);
});

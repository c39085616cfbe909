// A replica whose database goes away under load, and comes back: while it is gone, /ready says so
// and decisions answer 503 with Retry-After (never a 200 that was not stored); once it is back the
// replica reconnects by itself and decides again; every decision answered 200 at any point is in
// PostgreSQL. Two ways to lose it: the network path cut (a proxy resets every connection and
// refuses new ones), on the machine's shared server; and the server itself stopped and started
// again, on a server of the test's own (other test files use the shared one meanwhile).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { createTestSchema, DATABASE_URL, schemaUrl, type TestSchema } from '../support/pg';
import { startTestServer, type TestServer } from '../support/server';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let schema: TestSchema;
let proxy: TcpProxy;
let privateServer: PrivatePostgres;
const replicas: TestServer[] = [];

const startReplica = async (databaseUrl: string) => {
  const replica = await startTestServer({
    env: { DATABASE_URL: databaseUrl, IDENTIFIER_HASH_KEY: randomBytes(32).toString('hex'), DATABASE_STATEMENT_TIMEOUT_MS: '2000', GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' },
  });
  replicas.push(replica);
  return replica;
};

beforeAll(async () => {
  [schema, privateServer] = await Promise.all([createTestSchema('replicas_outage'), startPrivatePostgres()]);
  const target = new URL(DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await proxy?.close();
  await Promise.all([schema?.drop(), privateServer?.destroy()]);
});

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/**
 * Under load from 8 clients: the database goes (`lose`), the replica says so and refuses with 503s,
 * the database comes back (`regain`), the replica decides again by itself; every 200 is stored.
 */
async function losesItsDatabase(replica: TestServer, lose: () => Promise<void> | void, regain: () => Promise<void> | void, storedOf: (ids: string[]) => Promise<number>) {
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

  await lose();
  const notReady = await until(async () => {
    const ready = await replica.anonymous().get('/ready');
    return ready.status === 503 && ready.body.checks.database?.ok === false;
  });
  expect(notReady).toBe(true);
  const refusedWhileDown = refused.length;
  expect(await until(async () => refused.length >= refusedWhileDown + 20)).toBe(true);

  await regain();
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
  expect(await storedOf(acknowledged)).toBe(acknowledged.length);
}

describe('a replica losing its database under load', () => {
  it('its network path cut and restored: 503 with Retry-After and not ready meanwhile, reconnects by itself, every 200 stored', async () => {
    const viaProxy = new URL(schemaUrl(schema.name));
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const replica = await startReplica(viaProxy.toString());
    await losesItsDatabase(
      replica,
      () => proxy.cut(),
      () => proxy.restore(),
      async (ids) => (await schema.pool.query('SELECT 1 FROM decisions WHERE decision_id = ANY($1)', [ids])).rowCount ?? 0,
    );
  }, 120_000);

  it('the PostgreSQL server stopped and started again: the same', async () => {
    const replica = await startReplica(privateServer.url);
    await losesItsDatabase(
      replica,
      () => privateServer.stop(),
      () => privateServer.start(),
      async (ids) => {
        const pool = new pg.Pool({ connectionString: privateServer.url, max: 1 });
        try {
          return (await pool.query('SELECT 1 FROM decisions WHERE decision_id = ANY($1)', [ids])).rowCount ?? 0;
        } finally {
          await pool.end();
        }
      },
    );
  }, 120_000);
});

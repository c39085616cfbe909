// The fraud graph's schedule over HTTP: the first clusters come with the first applications (not
// five minutes later), GET /clusters says when the next recluster is due and why the list is empty,
// and an admin can ask for a recluster without being able to queue more than one.
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineRunner, type ReclusterRunner } from '../../src/graph/recluster-runner';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let ajv: Ajv2020;
let doc: any;

function conforms(pathname: string, method: string, status: number, body: unknown) {
  const schema = doc.paths[pathname]?.[method]?.responses?.[status]?.content['application/json'].schema;
  expect(schema, `${method} ${pathname} ${status} is documented`).toBeDefined();
  const validate = ajv.compile({ $ref: `openapi${schema.$ref}` });
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ringMember = (k: number): RawIdentifiers => ({
  deviceId: `dev-farm-${k % 2}`,
  bankAccount: `GB29NWBK6016133192681${k % 3}`,
  nationalId: `11010519900101${String(k).padStart(4, '0')}`,
  email: `farm.member${k}@example.net`,
  phone: `+86 139 0000 21${k}${k}`,
});
const loner = (k: number): RawIdentifiers => ({ nationalId: `33010519700101${String(k).padStart(4, '0')}`, email: `loner${k}@example.com` });

async function decide(server: TestServer, id: string, identifiers: RawIdentifiers) {
  const res = await server.post('/decide', application({ applicationId: id, identifiers }));
  expect(res.status).toBe(200);
}

/** A recluster runner that holds every run until the test opens the gate, and counts runs. */
function gatedRunner() {
  const inner = inlineRunner();
  let runs = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const runner: ReclusterRunner = {
    ...inner,
    run: async (snapshot, config, out) => {
      runs++;
      await gate;
      return inner.run(snapshot, config, out);
    },
  };
  return { runner, runs: () => runs, open: () => open() };
}

beforeAll(async () => {
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
});

describe('the first clusters, on the shipped schedule (1000 applications / 5 minutes)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    doc = (await server.get('/openapi.json')).body;
    ajv.addSchema({ $id: 'openapi', components: doc.components });
  });
  afterAll(() => server?.close());

  it('appear after the first 20 applications, and GET /clusters says when and why before and after', async () => {
    const empty = await server.as('investigator').get('/clusters');
    expect(empty.status).toBe(200);
    conforms('/clusters', 'get', 200, empty.body);
    expect(empty.body).toMatchObject({ clusters: [], clustering: null, nextRecluster: { running: null, afterApplications: 20 } });
    expect(empty.body.nextRecluster.reason).toBe(
      'no clustering yet: no applications yet; the first recluster runs after 20 applications or 5 s after the first application, whichever comes first',
    );

    const before = Date.now();
    await decide(server, 'FIRST-RING-0', ringMember(0));
    const one = (await server.as('investigator').get('/clusters')).body;
    conforms('/clusters', 'get', 200, one);
    expect(one.clustering).toBeNull();
    expect(one.nextRecluster.afterApplications).toBe(19);
    // Due 5 s after the first application, not at the end of the 5-minute period.
    const due = Date.parse(one.nextRecluster.dueAt);
    expect(due).toBeGreaterThanOrEqual(before + 5_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 5_000);

    for (let k = 1; k < 8; k++) await decide(server, `FIRST-RING-${k}`, ringMember(k));
    for (let k = 0; k < 12; k++) await decide(server, `FIRST-LONE-${k}`, loner(k));
    const listed = await until('the first clustering', () => server.as('investigator').get('/clusters'), (r) => r.body.clustering !== null);
    conforms('/clusters', 'get', 200, listed.body);
    expect(listed.body.clustering).toMatchObject({ generation: 1 });
    expect(listed.body.clusters.find((c: { id: string }) => c.id === 'cl_FIRST-RING-0')).toMatchObject({ size: 8 });
    expect(Date.now() - before).toBeLessThan(60_000);
    // Then the regular schedule, in numbers and in words.
    const next = listed.body.nextRecluster;
    // (20 applications made it; had the 5 s timer come first, the ones after its snapshot count.)
    expect(next).toMatchObject({ running: null, afterApplications: 1000 - (20 - listed.body.clustering.applications) });
    expect(Date.parse(next.dueAt)).toBeGreaterThan(Date.now() + 290_000);
    expect(next.reason).toBe('reclusters run after every 1000 new applications or at the latest 300 s after the last one, whichever comes first');
  });
});

describe('POST /clusters/recluster', () => {
  let server: TestServer;
  const gated = gatedRunner();
  beforeAll(async () => {
    server = await startTestServer({ env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' }, overrides: { reclusterRunner: gated.runner } });
    doc = (await server.get('/openapi.json')).body;
    ajv.removeSchema('openapi');
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    for (let k = 0; k < 6; k++) await decide(server, `ASK-RING-${k}`, ringMember(100 + k));
  });
  afterAll(async () => {
    gated.open();
    await server?.close();
  });

  it('with automatic reclusters off, GET /clusters and GET /clusters/:id say why there is nothing and how to get it', async () => {
    const list = await server.as('investigator').get('/clusters');
    conforms('/clusters', 'get', 200, list.body);
    expect(list.body.nextRecluster).toMatchObject({ running: null, dueAt: null, afterApplications: null });
    expect(list.body.nextRecluster.reason).toMatch(/^no clustering yet: automatic reclustering is off .*POST \/clusters\/recluster$/);
    const one = await server.as('investigator').get('/clusters/cl_ASK-RING-0');
    expect(one.status).toBe(404);
    expect(one.body.error.details[0].message).toMatch(/^no cluster "cl_ASK-RING-0": no clustering yet: automatic reclustering is off/);
  });

  it('only an admin may ask: every other role is 403, no credential 401, and nothing starts', async () => {
    for (const caller of ['investigator', 'analyst', 'monitoring', 'los', 'reviewerL3'] as const) {
      const res = await server.as(caller).post('/clusters/recluster', {});
      expect(res.status, caller).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await server.anonymous().post('/clusters/recluster', {})).status).toBe(401);
    expect(gated.runs()).toBe(0);
  });

  it('refuses a body with parameters (400) or of another type (415)', async () => {
    const extra = await server.post('/clusters/recluster', { force: true });
    expect(extra.status).toBe(400);
    conforms('/clusters/recluster', 'post', 400, extra.body);
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');
    expect((await server.raw('/clusters/recluster', 'go', 'text/plain')).status).toBe(415);
    expect(gated.runs()).toBe(0);
  });

  it('an admin starts one (202 with the generation it will produce); requests while it runs join it and start no more', async () => {
    const started = await server.post('/clusters/recluster', undefined);
    expect(started.status).toBe(202);
    conforms('/clusters/recluster', 'post', 202, started.body);
    expect(started.headers.get('location')).toBe('/clusters');
    expect(started.body).toMatchObject({ state: 'started', generation: 1, applications: 6, clustering: null });

    const joined = await Promise.all(Array.from({ length: 20 }, () => server.post('/clusters/recluster', {})));
    for (const res of joined) {
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ state: 'joined', generation: 1, startedAt: started.body.startedAt, applications: 6 });
    }
    expect(gated.runs()).toBe(1);
    const running = await server.as('investigator').get('/clusters');
    conforms('/clusters', 'get', 200, running.body);
    expect(running.body.nextRecluster.running).toEqual({ generation: 1, startedAt: started.body.startedAt, applications: 6 });
    expect(running.body.nextRecluster.reason).toMatch(/^the first recluster is running \(generation 1, 6 applications\)/);

    gated.open();
    const done = await until('generation 1', () => server.as('investigator').get('/clusters'), (r) => r.body.clustering?.generation === 1);
    expect(done.body.clusters.find((c: { id: string }) => c.id === 'cl_ASK-RING-0')).toMatchObject({ size: 6 });
    expect(done.body.nextRecluster).toMatchObject({ running: null, dueAt: null, afterApplications: null });
    expect(gated.runs()).toBe(1);

    // Once it has ended, the next request starts the next generation.
    const again = await server.post('/clusters/recluster', {});
    expect(again.body).toMatchObject({ state: 'started', generation: 2, clustering: { generation: 1 } });
    await until('generation 2', () => server.as('investigator').get('/clusters'), (r) => r.body.clustering?.generation === 2);
    expect(gated.runs()).toBe(2);
  });
});

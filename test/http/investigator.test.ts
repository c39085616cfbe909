// The investigator API over HTTP, on the real service: a planted device farm, a household and
// some unrelated applicants are decided through /decide, reclustered in the worker, then explored.
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import { createLogger } from '../../src/observability/logger';
import { application } from '../support/factories';
import { HOUSEHOLD_IDS, householdMember, LONE_IDS, loneApplicant, RING_IDS, ringMember } from '../support/planted';
import { startTestServer, tempDir, type TestCaller, type TestServer } from '../support/server';

const ENV = { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' };
let server: TestServer;
let dataDir: string;
let ajv: Ajv2020;
let doc: any;
/** Every response body this file received, to search for raw identifiers at the end. */
const seen: string[] = [];
const logLines: string[] = [];
const logger = () =>
  createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
const rawValues: string[] = [];

async function get(pathname: string) {
  const res = await server.get(pathname);
  seen.push(JSON.stringify(res.body));
  return res;
}
async function post(pathname: string, body: unknown, caller: TestCaller = 'admin') {
  const res = await server.as(caller).post(pathname, body);
  seen.push(JSON.stringify(res.body));
  return res;
}
const label = (applicationId: string, body: unknown, caller: TestCaller = 'investigator') => post(`/applications/${applicationId}/labels`, body, caller);
async function decide(id: string, identifiers: RawIdentifiers) {
  rawValues.push(...Object.values(identifiers).map((v) => (v as string).trim()));
  const res = await post('/decide', application({ applicationId: id, identifiers }));
  expect(res.status).toBe(200);
  return res.body;
}

function conforms(pathname: string, method: string, status: number, body: unknown) {
  const schema = doc.paths[pathname]?.[method]?.responses?.[status]?.content['application/json'].schema;
  expect(schema, `${method} ${pathname} ${status} is documented`).toBeDefined();
  const validate = ajv.compile({ $ref: `openapi${schema.$ref}` });
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

const ring = RING_IDS;
const home = HOUSEHOLD_IDS;

beforeAll(async () => {
  dataDir = tempDir();
  server = await startTestServer({ env: ENV, dataDir, logger: logger() });
  doc = (await server.get('/openapi.json')).body;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });

  for (const [k, id] of ring.entries()) await decide(id, ringMember(k));
  for (const [k, id] of home.entries()) await decide(id, householdMember(k));
  for (const [i, id] of LONE_IDS.entries()) await decide(id, loneApplicant(i));
  await server.service.graph.recluster();
});

afterAll(async () => {
  await server?.close();
});

describe('GET /clusters', () => {
  it('lists the planted ring as a suspicious cluster, with explained flags, and the household as a quiet one', async () => {
    const res = await get('/clusters');
    expect(res.status).toBe(200);
    conforms('/clusters', 'get', 200, res.body);
    const [top, next] = res.body.clusters;
    expect(top).toMatchObject({ id: 'cl_RING-0', size: 8, suspicious: true });
    expect(top.flags.map((f: { flag: string }) => f.flag)).toEqual(expect.arrayContaining(['SHARED_DEVICES', 'STRANGERS_SHARING', 'MULE_ACCOUNTS']));
    expect(top.flags.every((f: { why: string }) => f.why.length > 0)).toBe(true);
    expect(next).toMatchObject({ id: 'cl_HOME-0', size: 3, suspicious: false });
    expect(res.body.clustering).toMatchObject({ generation: 1, applications: 16 });
  });

  it('filters and pages with a cursor', async () => {
    expect((await get('/clusters?suspicious=true')).body.clusters.map((c: { id: string }) => c.id)).toEqual(['cl_RING-0']);
    expect((await get('/clusters?suspicious=false')).body.clusters.map((c: { id: string }) => c.id)).toEqual(['cl_HOME-0']);
    expect((await get('/clusters?minSize=4')).body.clusters).toHaveLength(1);
    const first = await get('/clusters?limit=1&sort=size');
    expect(first.body.clusters.map((c: { id: string }) => c.id)).toEqual(['cl_RING-0']);
    const second = await get(`/clusters?limit=1&sort=size&cursor=${first.body.nextCursor}`);
    expect(second.body.clusters.map((c: { id: string }) => c.id)).toEqual(['cl_HOME-0']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('filters by flag, region and product (values from the rules), and keeps a cursor to its filters', async () => {
    const list = async (query: string) => (await get(`/clusters?${query}`)).body.clusters.map((c: { id: string }) => c.id);
    expect(await list('flag=SHARED_DEVICES')).toEqual(['cl_RING-0']);
    expect(await list('flag=LABELLED_FRAUD')).toEqual([]);
    // Every application here was decided in east for a personal loan (the factory's defaults).
    expect(await list('region=east')).toEqual(['cl_RING-0', 'cl_HOME-0']);
    expect(await list('region=north')).toEqual([]);
    expect(await list('product=personal_loan&suspicious=false')).toEqual(['cl_HOME-0']);
    expect(await list('product=micro_loan')).toEqual([]);
    const first = await get('/clusters?limit=1&sort=size&region=east');
    conforms('/clusters', 'get', 200, first.body);
    expect((await get(`/clusters?limit=1&sort=size&region=east&cursor=${first.body.nextCursor}`)).body.clusters.map((c: { id: string }) => c.id)).toEqual(['cl_HOME-0']);
    const moved = await get(`/clusters?limit=1&sort=size&cursor=${first.body.nextCursor}`);
    expect(moved.status).toBe(400);
    expect(moved.body.error.details).toEqual([{ path: 'cursor', message: expect.stringContaining('other filters') }]);
  });

  it('accepts only cursors it issued: a forged or altered position is a 400 at once, never a long walk', async () => {
    const first = await get('/clusters?limit=1&sort=size');
    const [body, signature] = (first.body.nextCursor as string).split('.');
    const forge = (p: number) => Buffer.from(JSON.stringify({ g: 1, s: 'size', p })).toString('base64url');
    for (const cursor of [forge(-9007199254740991), `${forge(-5)}.${signature}`, `${forge(1)}.${signature}`, `${body}.${'A'.repeat(22)}`, `${body}`, `${body}.${signature}.x`]) {
      const t = performance.now();
      const res = await get(`/clusters?limit=1&sort=size&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'cursor', message: 'not a cursor this API issued' });
      expect(performance.now() - t).toBeLessThan(5_000);
    }
    expect((await get(`/clusters?limit=1&sort=size&cursor=${first.body.nextCursor}`)).status).toBe(200);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['minSize=-1', 'minSize'],
    ['sort=age', 'sort'],
    ['suspicious=maybe', 'suspicious'],
    ['cursor=not-a-cursor', 'cursor'],
    ['colour=red', 'colour'],
    ['limit=1&limit=2', 'limit'],
    ['flag=NO_SUCH_FLAG', 'flag'],
    ['region=atlantis', 'region'],
    ['product=mortgage', 'product'],
  ])('answers 400 naming the parameter for ?%s', async (query, parameter) => {
    const res = await get(`/clusters?${query}`);
    expect(res.status).toBe(400);
    conforms('/clusters', 'get', 400, res.body);
    expect(res.body.error.code).toBe('INVALID_PARAMETER');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(parameter);
  });
});

describe('GET /clusters/:clusterId', () => {
  it('shows members, shared identifiers by type (hashed and masked), edges, density and the flags’ evidence', async () => {
    const res = await get('/clusters/cl_RING-0');
    expect(res.status).toBe(200);
    conforms('/clusters/{clusterId}', 'get', 200, res.body);
    expect(res.body.members.map((m: { applicationId: string }) => m.applicationId)).toEqual(ring);
    const devices = res.body.sharedIdentifiers.deviceId;
    expect(devices).toHaveLength(2);
    expect(devices.map((d: { members: number }) => d.members)).toEqual([4, 4]);
    expect(devices[0]).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), masked: expect.stringMatching(/^de\*\*\*/), linking: true });
    expect(res.body.sharedIdentifiers.bankAccount.map((d: { members: number }) => d.members).sort()).toEqual([2, 3, 3]);
    const deviceIds = devices.map((d: { id: string }) => d.id);
    expect(res.body.edges.filter((e: { source: string; target: string }) => e.source === 'app:RING-0' && deviceIds.includes(e.target))).toHaveLength(1);
    expect(res.body.density).toBeGreaterThan(0.3);
    const shared = res.body.flags.find((f: { flag: string }) => f.flag === 'SHARED_DEVICES');
    expect(shared.evidence).toMatchObject({ distinct: 2, applicationsWith: 8 });
  });

  it('exports the cluster as GEXF and its members as CSV, to the roles that read the JSON', async () => {
    const gexf = await get('/clusters/cl_RING-0?format=gexf');
    expect(gexf.status).toBe(200);
    expect(gexf.headers.get('content-type')).toMatch(/^application\/gexf\+xml/);
    expect(gexf.body).toContain('<node id="app:RING-0"');
    const csv = await get('/clusters/cl_RING-0?format=csv');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="cluster-cl_RING-0.csv"');
    expect((csv.body as string).trimEnd().split('\r\n')).toHaveLength(1 + ring.length);
    expect((await server.as('investigator').get('/clusters/cl_RING-0?format=csv')).status).toBe(200);
    expect((await server.as('los').get('/clusters/cl_RING-0?format=csv')).status).toBe(403);
    expect((await server.as('los').get('/applications/RING-0/network?format=gexf')).status).toBe(403);
    const network = await get('/applications/RING-0/network?format=csv');
    expect(network.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await get('/clusters/cl_RING-0?format=dot')).body.error).toMatchObject({ code: 'INVALID_PARAMETER', details: [{ path: 'format' }] });
  });

  it('answers 404 for an unknown cluster', async () => {
    const res = await get('/clusters/cl_NOPE');
    expect(res.status).toBe(404);
    conforms('/clusters/{clusterId}', 'get', 404, res.body);
    expect(res.body.error).toMatchObject({ code: 'CLUSTER_NOT_FOUND', details: [{ path: 'clusterId' }] });
  });
});

describe('GET /applications/:applicationId/network', () => {
  it('draws the ego network: identifiers one hop out, the applications sharing them two hops out', async () => {
    const res = await get('/applications/RING-0/network?depth=2');
    expect(res.status).toBe(200);
    conforms('/applications/{applicationId}/network', 'get', 200, res.body);
    const apps = res.body.nodes.filter((n: { kind: string }) => n.kind === 'application').map((n: { applicationId: string }) => n.applicationId);
    expect(apps.sort()).toEqual(['RING-0', 'RING-2', 'RING-3', 'RING-4', 'RING-6']);
    const ids = res.body.nodes.filter((n: { kind: string; hops: number }) => n.kind === 'identifier');
    expect(ids.map((n: { type: string }) => n.type).sort()).toEqual(['bankAccount', 'deviceId']);
    expect(res.body.nodes.find((n: { id: string }) => n.id === 'app:RING-2')).toMatchObject({ hops: 2, clusterId: 'cl_RING-0' });
    for (const e of res.body.edges) expect(res.body.nodes.some((n: { id: string }) => n.id === e.source) && res.body.nodes.some((n: { id: string }) => n.id === e.target)).toBe(true);
    const oneHop = await get('/applications/RING-0/network?depth=1');
    expect(oneHop.body.nodes).toHaveLength(3);
  });

  it('links the trivial variants of one address and one phone (normalisation before hashing)', async () => {
    const res = await get('/applications/HOME-0/network');
    const ids = res.body.nodes.filter((n: { kind: string }) => n.kind === 'identifier');
    expect(ids.map((n: { type: string; applications: number }) => [n.type, n.applications]).sort()).toEqual([
      ['address', 3],
      ['phone', 3],
    ]);
  });

  it('answers 400 naming a bad depth and 404 for an unknown application', async () => {
    for (const q of ['depth=0', 'depth=9', 'depth=two', 'width=3']) {
      const res = await get(`/applications/RING-0/network?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe(q.split('=')[0]);
    }
    const missing = await get('/applications/NOPE/network');
    expect(missing.status).toBe(404);
    conforms('/applications/{applicationId}/network', 'get', 404, missing.body);
    expect(missing.body.error.code).toBe('APPLICATION_NOT_FOUND');
  });
});

describe('/decide with the graph', () => {
  it('an applicant on the ring’s device and mule account is caught at once, with the cluster in the response', async () => {
    const body = await decide('RING-NEW', { deviceId: 'dev-ring-0001', bankAccount: 'GB29NWBK60161331926813', nationalId: '110105199001019999' });
    expect(body.reasons.map((r: { code: string }) => r.code)).toContain('FRAUD_RING_SUSPECTED');
    expect(body.fraud).toMatchObject({ clusterId: 'cl_RING-0', suspicious: true });
    expect(body.fraud.score).toBeGreaterThanOrEqual(50);
    expect(body.fraud.flags).toContain('SHARED_DEVICES');
  });

  it('an applicant linked to nobody gets an empty fraud view and no graph reason', async () => {
    const body = await decide('CLEAN-1', { nationalId: '440105199001010001', email: 'clean@example.com' });
    expect(body.fraud).toEqual({ clusterId: null, suspicious: false, score: 0, flags: [] });
    expect(body.reasons.map((r: { code: string }) => r.code)).not.toContain('FRAUD_RING_SUSPECTED');
  });
});

describe('POST /applications/:applicationId/labels', () => {
  it('rejects a bad label naming the field, an unknown application, and a non-JSON body', async () => {
    const bad = await label('HOME-0', { label: 'maybe' });
    expect(bad.status).toBe(400);
    conforms('/applications/{applicationId}/labels', 'post', 400, bad.body);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('label');
    // Who labels is the credential's identity: a body naming someone is refused.
    expect((await label('HOME-0', { label: 'fraud', by: 'nobody' })).body.error.details[0].path).toBe('by');
    const missing = await label('NOPE', { label: 'fraud' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('APPLICATION_NOT_FOUND');
    expect((await server.as('investigator').raw('/applications/HOME-0/labels', 'fraud', 'text/plain')).status).toBe(415);
    // Only investigators label (an admin or an origination system cannot).
    expect((await label('HOME-0', { label: 'fraud' }, 'admin')).body.error.code).toBe('FORBIDDEN');
    expect((await label('HOME-0', { label: 'fraud' }, 'los')).body.error.code).toBe('FORBIDDEN');
    expect((await get('/applications/HOME-0/labels')).body.history).toEqual([]);
  });

  it('a label is audited and changes the facts of later decisions', async () => {
    await decide('SOLO-1', { nationalId: '550105199001010001', phone: '+86 137 1111 2222', deviceId: 'solo-device-1' });
    const before = await decide('SOLO-2', { nationalId: '550105199001010002', phone: '13711112222' });
    expect(before.reasons.map((r: { code: string }) => r.code)).not.toContain('LINKED_TO_CONFIRMED_FRAUD');

    const labelled = await label('SOLO-1', { label: 'fraud', note: 'documents forged' });
    expect(labelled.status).toBe(201);
    conforms('/applications/{applicationId}/labels', 'post', 201, labelled.body);
    expect(labelled.body).toMatchObject({ applicationId: 'SOLO-1', label: 'fraud', by: 'key:investigator', confirmedBy: null, note: 'documents forged' });

    const after = await decide('SOLO-3', { nationalId: '550105199001010003', phone: '0086 137 1111 2222' });
    expect(after.reasons.map((r: { code: string }) => r.code)).toContain('LINKED_TO_CONFIRMED_FRAUD');
    expect(after.outcome).toBe('review');
    const stored = await get(`/decisions/${after.decisionId}`);
    expect(stored.body.facts.fraud).toMatchObject({ sharedWithLabelledFraud: true, labelledFraudHops: 1, identifierReuse: { phone: 2 } });

    const history = await get('/applications/SOLO-1/labels');
    conforms('/applications/{applicationId}/labels', 'get', 200, history.body);
    expect(history.body).toMatchObject({ applicationId: 'SOLO-1', label: 'fraud', clearance: null, history: [{ label: 'fraud', by: 'key:investigator' }] });
  });

  it('clearing a fraud label takes a second investigator (four eyes); until then the fraud label stays in force', async () => {
    await decide('EYES-1', { nationalId: '660105199001010001', deviceId: 'eyes-device-0001' });
    expect((await label('EYES-1', { label: 'fraud', note: 'stolen identity' })).status).toBe(201);

    const requested = await label('EYES-1', { label: 'legit', note: 'customer verified in branch' });
    expect(requested.status).toBe(202);
    conforms('/applications/{applicationId}/labels', 'post', 202, requested.body);
    expect(requested.body).toMatchObject({ applicationId: 'EYES-1', label: 'fraud', clearance: { status: 'awaiting_second_investigator', requestedBy: 'key:investigator' } });
    // The same investigator cannot confirm their own request, and the label in force is unchanged.
    const self = await label('EYES-1', { label: 'legit' });
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('FOUR_EYES_REQUIRED');
    const linked = await decide('EYES-2', { nationalId: '660105199001010002', deviceId: 'eyes-device-0001' });
    expect(linked.reasons.map((r: { code: string }) => r.code)).toContain('LINKED_TO_CONFIRMED_FRAUD');
    expect((await get('/applications/EYES-1/labels')).body).toMatchObject({ label: 'fraud', clearance: { requestedBy: 'key:investigator' } });

    const confirmed = await label('EYES-1', { label: 'legit', note: 'agreed' }, 'secondInvestigator');
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toMatchObject({ label: 'legit', by: 'key:investigator', confirmedBy: 'key:secondInvestigator', note: 'customer verified in branch / agreed' });
    const cleared = await decide('EYES-3', { nationalId: '660105199001010003', deviceId: 'eyes-device-0001' });
    expect(cleared.reasons.map((r: { code: string }) => r.code)).not.toContain('LINKED_TO_CONFIRMED_FRAUD');
    expect((await get('/applications/EYES-1/labels')).body).toMatchObject({ label: 'legit', clearance: null });
  });
});

describe('privacy and restarts', () => {
  it('no response and no log line carries a raw identifier value', () => {
    expect(logLines.some((l) => l.includes('fraud graph reclustered'))).toBe(true);
    const text = [...seen, ...logLines].join('\n').toLowerCase();
    expect(rawValues.length).toBeGreaterThan(50);
    for (const raw of rawValues) expect(text, raw).not.toContain(raw.toLowerCase());
    // Nor the normalised forms the hashes are computed from.
    for (const normalised of ['dev-ring-0001', 'gb29nwbk60161331926812', '8613711112222', '12 elm street flat 3', 'ring.member3@example.net']) {
      expect(text).not.toContain(normalised);
    }
  });

  it('the graph and the labels survive a restart (rebuilt from the audit store)', async () => {
    await server.close();
    server = await startTestServer({ env: ENV, dataDir, logger: logger() });
    expect(logLines.some((l) => l.includes('fraud graph rebuilt') && l.includes('"applications":24'))).toBe(true);
    const network = await get('/applications/RING-0/network?depth=2');
    expect(network.body.nodes.filter((n: { kind: string }) => n.kind === 'application').length).toBeGreaterThanOrEqual(5);
    // Region and product come back from the audit store with the rest (the cluster filters read them).
    expect(network.body.nodes.find((n: { id: string }) => n.id === 'app:RING-0')).toMatchObject({ region: 'east', product: 'personal_loan' });
    expect((await get('/applications/SOLO-1/labels')).body.label).toBe('fraud');
    const after = await decide('SOLO-4', { nationalId: '550105199001010004', phone: '+86 13711112222' });
    expect(after.reasons.map((r: { code: string }) => r.code)).toContain('LINKED_TO_CONFIRMED_FRAUD');
    await server.service.graph.recluster();
    const clusters = await get('/clusters?suspicious=true');
    const solo = clusters.body.clusters.find((c: { id: string }) => c.id === 'cl_SOLO-1');
    expect(solo.flags.map((f: { flag: string }) => f.flag)).toContain('LABELLED_FRAUD');
    expect((await get('/clusters?region=east&flag=LABELLED_FRAUD')).body.clusters.map((c: { id: string }) => c.id)).toContain('cl_SOLO-1');
  });
});

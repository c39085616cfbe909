// The investigator console's API on the real service: GET /clusters filtered by flag, region and
// product (cursors bound to the filters), and the cluster and network exports (GEXF, CSV) with
// their content types, file names, roles, and no raw identifier or keyed hash in any body.
import { UndirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import { MEMBER_COLUMNS } from '../../src/graph/network-export';
import { application } from '../support/factories';
import { startTestServer, type TestCaller, type TestServer } from '../support/server';

const ENV = { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' };
let server: TestServer;
const rawValues: string[] = [];
/** Every export body this file received, to search for raw identifiers and hashes at the end. */
const exported: string[] = [];

const ring = Array.from({ length: 8 }, (_, k) => `RING-${k}`);
// A household in another region and product; its ids start a cluster id with a ':' (no file name
// character) and a cell with '-' (a spreadsheet formula).
const home = ['HOME:0', 'HOME-1', '-HOME-2'];
const pair = ['PAIR-0', 'PAIR-1'];

async function decide(id: string, identifiers: RawIdentifiers, extra: Record<string, unknown> = {}) {
  rawValues.push(...Object.values(identifiers).map((v) => (v as string).trim()));
  const res = await server.post('/decide', application({ applicationId: id, identifiers, ...extra }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function download(pathname: string, caller: TestCaller = 'investigator') {
  const res = await server.as(caller).get(pathname);
  if (res.status === 200) exported.push(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
  return res;
}

const ids = (body: { clusters: { id: string }[] }) => body.clusters.map((c) => c.id);

beforeAll(async () => {
  server = await startTestServer({ env: ENV });
  for (const [k, id] of ring.entries()) {
    await decide(id, {
      deviceId: `dev-export-ring-000${k % 2}`,
      // Devices split the ring in two halves; the accounts run across them.
      bankAccount: `GB29NWBK6016133192681${k % 3}`,
      nationalId: `12010519900101${String(k).padStart(4, '0')}`,
      email: `export.ring${k}@example.net`,
      phone: `+86 139 0000 22${k}${k}`,
      address: `${k + 1} Quarry Road, Unit ${k}`,
    });
  }
  for (const [k, id] of home.entries()) {
    await decide(id, { address: '7 Birch Close', phone: '+86 10 6552 9876', nationalId: `23010519800101${k}000`, email: `export.family${k}@example.org` }, { region: 'north', product: 'micro_loan', amount: 2500, termMonths: 12 });
  }
  for (const [k, id] of pair.entries()) await decide(id, { address: '3 Pond Street', phone: '+86 10 6552 4321', nationalId: `24010519800101${k}000` });

  // As an admin would: ask for a recluster, then wait until GET /clusters lists its generation.
  const started = await server.post('/clusters/recluster', {});
  expect(started.status).toBe(202);
  for (let i = 0; i < 300 && ((await server.get('/clusters')).body.clustering?.generation ?? 0) < started.body.generation; i++) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  await server?.close();
});

describe('GET /clusters filters', () => {
  it('lists the three planted clusters unfiltered', async () => {
    const res = await server.as('investigator').get('/clusters?sort=size');
    expect(ids(res.body)).toEqual(['cl_RING-0', 'cl_HOME:0', 'cl_PAIR-0']);
  });

  it('narrows by region, product and flag, and by several at once', async () => {
    const list = async (query: string) => ids((await server.as('investigator').get(`/clusters?sort=size&${query}`)).body);
    expect(await list('region=north')).toEqual(['cl_HOME:0']);
    expect(await list('region=east')).toEqual(['cl_RING-0', 'cl_PAIR-0']);
    expect(await list('region=south')).toEqual([]);
    expect(await list('product=micro_loan')).toEqual(['cl_HOME:0']);
    expect(await list('product=personal_loan')).toEqual(['cl_RING-0', 'cl_PAIR-0']);
    expect(await list('flag=SHARED_DEVICES')).toEqual(['cl_RING-0']);
    expect(await list('flag=LABELLED_FRAUD')).toEqual([]);
    expect(await list('region=east&product=personal_loan&suspicious=false')).toEqual(['cl_PAIR-0']);
    expect(await list('region=north&flag=SHARED_DEVICES')).toEqual([]);
  });

  it('a flag filter follows a label: the cluster raises LABELLED_FRAUD once a member is labelled fraud', async () => {
    expect((await server.as('investigator').get('/clusters?flag=LABELLED_FRAUD')).body.clusters).toEqual([]);
    expect((await server.as('investigator').post('/applications/PAIR-1/labels', { label: 'fraud', note: 'export test' })).status).toBe(201);
    expect(ids((await server.as('investigator').get('/clusters?flag=LABELLED_FRAUD')).body)).toEqual(['cl_PAIR-0']);
  });

  it('pages within the filters, and refuses a cursor issued for other filters', async () => {
    const first = await server.as('investigator').get('/clusters?sort=size&region=east&limit=1');
    expect(ids(first.body)).toEqual(['cl_RING-0']);
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const second = await server.as('investigator').get(`/clusters?sort=size&region=east&limit=1&cursor=${cursor}`);
    expect(ids(second.body)).toEqual(['cl_PAIR-0']);
    for (const other of ['region=north', '', 'region=east&product=personal_loan', 'region=east&minSize=2']) {
      const res = await server.as('investigator').get(`/clusters?sort=size&limit=1&${other}&cursor=${cursor}`);
      expect(res.status, other).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'cursor', message: expect.stringContaining('other filters') }]);
    }
  });

  it.each([
    ['flag=NOT_A_FLAG', 'flag'],
    ['flag=shared_devices', 'flag'],
    ['region=atlantis', 'region'],
    ['product=mortgage', 'product'],
    [`region=${'x'.repeat(5000)}`, 'region'],
    ['product=%3Cscript%3E', 'product'],
  ])('answers 400 naming the field for a bad value (%#), without echoing the value', async (query, field) => {
    const res = await server.as('investigator').get(`/clusters?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PARAMETER');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
    const value = decodeURIComponent(query.slice(query.indexOf('=') + 1));
    expect(JSON.stringify(res.body)).not.toContain(value);
  });

  it('documents every filter in the OpenAPI document', async () => {
    const doc = (await server.get('/openapi.json')).body;
    const names = doc.paths['/clusters'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['flag', 'region', 'product', 'suspicious', 'minSize', 'sort', 'limit', 'cursor']));
  });
});

describe('cluster and network exports', () => {
  it('a cluster as GEXF: the JSON’s members and shared identifiers as nodes, its edges as edges, identifiers masked', async () => {
    const json = (await server.as('investigator').get('/clusters/cl_RING-0')).body;
    const res = await download('/clusters/cl_RING-0?format=gexf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/gexf\+xml/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="cluster-cl_RING-0.gexf"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const graph = parseGexf(UndirectedGraph, res.body as string);
    const shared = Object.values(json.sharedIdentifiers).flat() as { masked: string; type: string }[];
    expect(graph.order).toBe(json.members.length + shared.length);
    expect(graph.size).toBe(json.edges.length);
    expect(graph.getNodeAttributes('app:RING-0')).toMatchObject({ kind: 'application', clusterId: 'cl_RING-0', outcome: json.members[0].outcome, region: 'east', product: 'personal_loan', hub: false });
    const identifiers = graph.filterNodes((_n, a) => a.kind === 'identifier').map((n) => graph.getNodeAttributes(n));
    expect(identifiers.map((a) => `${a.identifierType} ${a.masked}`).sort()).toEqual(shared.map((s) => `${s.type} ${s.masked}`).sort());
  });

  it('a cluster as CSV: one row per member, a safe file name, a formula-looking id neutralised', async () => {
    const res = await download('/clusters/cl_HOME:0?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="cluster-cl_HOME_0.csv"');
    const lines = (res.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(MEMBER_COLUMNS.join(','));
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['HOME:0', 'HOME-1', "'-HOME-2"]);
    expect(lines[1]).toMatch(/^HOME:0,cl_HOME:0,\w+,,\d{4}-\d\d-\d\dT[\d:.]+Z,north,micro_loan,$/);
  });

  it('a network as GEXF and CSV: the JSON’s nodes and edges, its applications as rows', async () => {
    const json = (await server.as('investigator').get('/applications/RING-0/network?depth=2')).body;
    const gexf = await download('/applications/RING-0/network?depth=2&format=gexf');
    expect(gexf.status).toBe(200);
    expect(gexf.headers.get('content-disposition')).toBe('attachment; filename="network-RING-0.gexf"');
    const graph = parseGexf(UndirectedGraph, gexf.body as string);
    expect([graph.order, graph.size]).toEqual([json.nodes.length, json.edges.length]);
    expect(graph.getNodeAttributes('app:RING-2')).toMatchObject({ hops: 2, clusterId: 'cl_RING-0' });

    const csv = await download('/applications/RING-0/network?depth=2&format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (csv.body as string).trimEnd().split('\r\n').slice(1);
    expect(rows.map((r) => r.split(',')[0]).sort()).toEqual(json.nodes.filter((n: { kind: string }) => n.kind === 'application').map((n: { applicationId: string }) => n.applicationId).sort());
  });

  it('format=json is the JSON; an unknown format (graphml included: no writer installed) is a 400 naming format', async () => {
    expect((await server.as('investigator').get('/clusters/cl_RING-0?format=json')).body.id).toBe('cl_RING-0');
    for (const path of ['/clusters/cl_RING-0', '/applications/RING-0/network']) {
      for (const format of ['graphml', 'dot', 'GEXF', '']) {
        const res = await server.as('investigator').get(`${path}?format=${format}`);
        expect(res.status, `${path} ${format}`).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'INVALID_PARAMETER', details: [{ path: 'format' }] });
      }
    }
    // Parameters first, then the cluster: a bad format on an unknown cluster is still a 400.
    expect((await server.as('investigator').get('/clusters/cl_NOPE?format=dot')).status).toBe(400);
    expect((await server.as('investigator').get('/clusters/cl_NOPE?format=csv')).status).toBe(404);
  });

  it('exports need the roles the JSON endpoints need', async () => {
    for (const path of ['/clusters/cl_RING-0?format=gexf', '/clusters/cl_RING-0?format=csv', '/applications/RING-0/network?format=gexf', '/applications/RING-0/network?format=csv']) {
      for (const caller of ['investigator', 'admin'] as const) expect((await download(path, caller)).status, `${caller} ${path}`).toBe(200);
      for (const caller of ['los', 'reviewerL3', 'analyst', 'monitoring'] as const) {
        const res = await server.as(caller).get(path);
        expect(res.status, `${caller} ${path}`).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
      expect((await server.anonymous().get(path)).status).toBe(401);
    }
  });

  it('documents the exports: the format parameter and the alternative content types', async () => {
    const doc = (await server.get('/openapi.json')).body;
    for (const path of ['/clusters/{clusterId}', '/applications/{applicationId}/network']) {
      const get = doc.paths[path].get;
      expect(get.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).toEqual(['json', 'gexf', 'csv']);
      expect(Object.keys(get.responses[200].content).sort()).toEqual(['application/gexf+xml', 'application/json', 'text/csv']);
    }
  });

  it('no export carries a raw identifier value, a normalised one, or a keyed hash', async () => {
    expect(exported.length).toBeGreaterThanOrEqual(10);
    const hashes = Object.values((await server.as('investigator').get('/clusters/cl_RING-0')).body.sharedIdentifiers)
      .flat()
      .map((s) => (s as { hash: string }).hash);
    expect(hashes.length).toBeGreaterThan(0);
    const text = exported.filter((b) => !b.startsWith('{')).join('\n').toLowerCase();
    for (const raw of rawValues) expect(text, raw).not.toContain(raw.toLowerCase());
    for (const normalised of ['dev-export-ring-0001', 'gb29nwbk60161331926812', '7 birch close', 'export.ring3@example.net']) expect(text).not.toContain(normalised);
    for (const hash of hashes) expect(text).not.toContain(hash.slice(0, 16));
  });
});

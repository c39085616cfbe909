// Exports of a cluster and of an ego network: the GEXF reads back (graphology's own parser) to the
// same nodes, edges and attributes; the CSV is RFC 4180 and formula-safe; nothing beyond what the
// JSON view shows (no keyed hash) reaches either.
import { UndirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import { describe, expect, it } from 'vitest';
import type { ClusterDetail, EgoNetwork } from '../../src/graph/investigation';
import { csvCell, exportGraph, MEMBER_COLUMNS, membersCsv, memberRows, toGexf } from '../../src/graph/network-export';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const HASH_C = 'c'.repeat(64);
const member = (applicationId: string, extra: Partial<ClusterDetail['members'][number]> = {}) => ({
  applicationId,
  outcome: 'approve',
  label: null,
  decidedAt: '2026-01-02T03:04:05.000Z',
  region: 'east',
  product: 'personal_loan',
  ...extra,
});

const cluster: ClusterDetail = {
  id: 'cl_R-0',
  size: 3,
  score: 70,
  suspicious: true,
  density: 1,
  firstSeen: '2026-01-02T03:04:05.000Z',
  lastSeen: '2026-01-02T03:04:05.000Z',
  flags: [],
  members: [member('R-0', { label: 'fraud', outcome: 'decline' }), member('R-1'), member('R-2', { region: null, product: null })],
  membersTruncated: false,
  sharedIdentifiers: {
    deviceId: [{ id: `deviceId:${HASH_A}`, type: 'deviceId', hash: HASH_A, masked: 'de***01', members: 3, applications: 3, linking: true }],
    ip: [{ id: `ip:${HASH_B}`, type: 'ip', hash: HASH_B, masked: '100.64.*.*', members: 2, applications: 40, linking: false }],
  },
  edges: [
    { source: 'app:R-0', target: `deviceId:${HASH_A}` },
    { source: 'app:R-1', target: `deviceId:${HASH_A}` },
    { source: 'app:R-2', target: `deviceId:${HASH_A}` },
    { source: 'app:R-0', target: `ip:${HASH_B}` },
    { source: 'app:R-1', target: `ip:${HASH_B}` },
  ],
  clustering: { generation: 4, at: '2026-01-03T00:00:00.000Z' },
};

const network: EgoNetwork = {
  applicationId: 'R-0',
  depth: 2,
  truncated: false,
  nodes: [
    { id: 'app:R-0', kind: 'application', ...member('R-0'), clusterId: 'cl_R-0', hops: 0 },
    { id: `deviceId:${HASH_A}`, kind: 'identifier', type: 'deviceId', hash: HASH_A, masked: 'de***01', applications: 2, common: false, hops: 1 },
    { id: `phone:${HASH_C}`, kind: 'identifier', type: 'phone', hash: HASH_C, masked: '+86 ***', applications: 90, common: true, hops: 1 },
    { id: 'app:=cmd', kind: 'application', ...member('=cmd'), clusterId: null, hops: 2 },
  ],
  edges: [
    { source: 'app:R-0', target: `deviceId:${HASH_A}` },
    { source: 'app:R-0', target: `phone:${HASH_C}` },
    { source: 'app:=cmd', target: `deviceId:${HASH_A}` },
  ],
};

function nodesByLabel<A extends object>(g: { forEachNode(callback: (key: string, attributes: A) => void): void }): Map<string, A> {
  const out = new Map<string, A>();
  g.forEachNode((_key, attributes) => out.set((attributes as { label: string }).label, attributes));
  return out;
}

describe('exportGraph', () => {
  it('draws a cluster: members and shared identifiers, edges between them, hubs marked, identifiers keyed without their hash', () => {
    const graph = exportGraph(cluster);
    expect(graph.order).toBe(5);
    expect(graph.size).toBe(5);
    expect(graph.getNodeAttributes('app:R-0')).toMatchObject({ kind: 'application', outcome: 'decline', investigatorLabel: 'fraud', clusterId: 'cl_R-0', hub: false, region: 'east' });
    expect(graph.getNodeAttributes('app:R-2')).not.toHaveProperty('region');
    expect(graph.getNodeAttributes('deviceId:1')).toMatchObject({ kind: 'identifier', identifierType: 'deviceId', masked: 'de***01', label: 'de***01', hub: false, applications: 3 });
    expect(graph.getNodeAttributes('ip:1')).toMatchObject({ hub: true });
    expect(graph.hasEdge('app:R-2', 'deviceId:1')).toBe(true);
    expect(JSON.stringify(graph.export())).not.toMatch(/aaaa|bbbb/);
  });

  it('draws an ego network with hops and each application’s cluster', () => {
    const graph = exportGraph(network);
    expect([graph.order, graph.size]).toEqual([4, 3]);
    expect(graph.getNodeAttributes('phone:1')).toMatchObject({ hub: true, hops: 1 });
    expect(graph.getNodeAttributes('app:=cmd')).not.toHaveProperty('clusterId');
    expect(graph.getAttribute('description')).toContain('R-0');
  });

  it('names a member the JSON lists only in its edges (past membersTruncated)', () => {
    const truncated: ClusterDetail = { ...cluster, members: cluster.members.slice(0, 2), membersTruncated: true };
    const graph = exportGraph(truncated);
    expect(graph.getNodeAttributes('app:R-2')).toEqual({ kind: 'application', label: 'R-2', hub: false, applicationId: 'R-2', clusterId: 'cl_R-0' });
    expect(graph.size).toBe(5);
  });
});

describe('GEXF', () => {
  it.each([
    ['a cluster', cluster],
    ['a network', network],
  ])('%s reads back with graphology-gexf to the same nodes, edges and attributes', (_name, view) => {
    const graph = exportGraph(view);
    const text = toGexf(graph);
    expect(text).toMatch(/^<\?xml/);
    expect(text).toContain('version="1.3"');
    const back = parseGexf(UndirectedGraph, text);
    expect([back.order, back.size]).toEqual([graph.order, graph.size]);
    const before = nodesByLabel(graph);
    const after = nodesByLabel(back);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [label, attributes] of before) expect(after.get(label), label).toEqual(attributes);
    graph.forEachEdge((_e, _a, source, target) => expect(back.hasEdge(source, target) || back.hasEdge(target, source), `${source}–${target}`).toBe(true));
    expect(text).not.toMatch(/aaaa|bbbb|cccc/);
  });
});

describe('GEXF escaping', () => {
  it('keeps markup in a masked form as text', () => {
    const odd: EgoNetwork = { ...network, nodes: network.nodes.map((n) => (n.kind === 'identifier' && n.type === 'phone' ? { ...n, masked: '<a&b>"\'' } : n)) };
    const text = toGexf(exportGraph(odd));
    expect(text).not.toContain('<a&b>');
    expect(parseGexf(UndirectedGraph, text).getNodeAttribute('phone:1', 'masked')).toBe('<a&b>"\'');
  });
});

describe('CSV', () => {
  it('is one row per member application under a header, CRLF line ends', () => {
    const csv = membersCsv(cluster);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(MEMBER_COLUMNS.join(','));
    expect(lines).toHaveLength(cluster.members.length + 2);
    expect(lines.at(-1)).toBe('');
    expect(lines[1]).toBe('R-0,cl_R-0,decline,fraud,2026-01-02T03:04:05.000Z,east,personal_loan,');
    expect(lines[3]).toBe('R-2,cl_R-0,approve,,2026-01-02T03:04:05.000Z,,,');
  });

  it('lists a network’s applications only, with their hops', () => {
    expect(memberRows(network).map((r) => [r.applicationId, r.hops])).toEqual([
      ['R-0', 0],
      ['=cmd', 2],
    ]);
    expect(membersCsv(network)).toContain("\r\n'=cmd,,approve,");
  });

  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['plain', 'plain'],
    [null, ''],
    [3, '3'],
  ] as const)('quotes %j as %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

// Retention: what is past its horizon goes, in small units, from where the last sweep stopped;
// nothing pending goes; the fraud graph is rebuilt for its window while it keeps serving.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DAY_MS, GRAPH_REBUILD_SHARE, RetentionSweeper, graphWindowStart, type RetentionPolicy } from '../../src/decision/retention';
import { FraudGraph } from '../../src/graph/fraud-graph';
import { inlineRunner } from '../../src/graph/recluster-runner';
import { AuditStore, PURGED_IDENTIFIER, type DecisionRow, type DecisionStatus } from '../../src/store/audit-store';
import { GraphStore } from '../../src/store/graph-store';
import { CONFIG } from '../graph/fixtures';

const NOW = Date.UTC(2030, 0, 1);
const POLICY: RetentionPolicy = { decisionDays: 1825, identifierDays: 730, graphWindowDays: 365 };
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

function fixture(policy: RetentionPolicy = POLICY, options: { pageSize?: number; pause?: () => Promise<void> } = {}) {
  const store = new AuditStore(':memory:');
  const graphStore = new GraphStore(store.database);
  const graph = new FraudGraph({ config: () => CONFIG, runner: inlineRunner(), reclusterEvery: 0, reclusterIntervalMs: 0, clock: () => NOW });
  const sweeper = new RetentionSweeper({ store, graphStore, graph, policy, clock: () => NOW, ...options });
  /** Commits a decision made `daysAgo` days before NOW, with a phone and a device (shared when `ring` is given), into the store and the graph. */
  const decide = async (id: string, daysAgo: number, status: DecisionStatus = 'final', ring?: string) => {
    const identifiers = [
      { type: 'phone', hash: hashOf(`phone-${ring ?? id}`), masked: '+86 ***1234' },
      { type: 'deviceId', hash: hashOf(`device-${id}`), masked: '***abcd' },
    ];
    const row: DecisionRow = {
      decisionId: `d-${id}`,
      applicationId: id,
      requestFingerprint: 'f',
      product: 'personal_loan',
      region: 'east',
      outcome: 'approve',
      rulesVersion: 'v1',
      decidedAt: NOW - daysAgo * DAY_MS,
      identifiers,
      document: { applicationId: id, identifiers: Object.fromEntries(identifiers.map((i) => [i.type, { hash: i.hash, masked: i.masked }])), trace: [{ fact: 'identifiers', value: identifiers[0]?.hash }] },
      fraudEvidence: false,
      source: 'decided',
    };
    await store.commit(() => store.insertDecision(row, status));
    graph.add({ applicationId: id, decidedAt: row.decidedAt, outcome: row.outcome, fraudEvidence: false, identifiers });
    return row;
  };
  return { store, graphStore, graph, sweeper, decide };
}

describe('retention sweep', () => {
  it('forgets identifiers past their horizon, deletes decisions past theirs with their events and labels, and keeps what is pending', async () => {
    const { store, graphStore, sweeper, decide } = fixture();
    const ancient = await decide('ANCIENT', 2000);
    await store.commit(() => store.addEvent(ancient.decisionId, ancient.decidedAt, 'signed_off', { by: 'x' }));
    graphStore.label({ applicationId: 'ANCIENT', label: 'fraud', by: 'inv-1', at: ancient.decidedAt });
    await decide('ANCIENT-REVIEW', 2000, 'awaiting_review');
    const reserved = await decide('ANCIENT-RESERVED', 2000);
    await store.commit(() => store.reserve({ decisionId: reserved.decisionId, region: 'east', product: 'personal_loan', amount: 1000, pd: 0.1, reservedAt: reserved.decidedAt, expiresAt: NOW + DAY_MS }));
    const old = await decide('OLD', 800);
    graphStore.label({ applicationId: 'OLD', label: 'fraud', by: 'inv-1', at: old.decidedAt });
    const recent = await decide('RECENT', 10);

    const report = await sweeper.sweep();
    // ANCIENT's and OLD's identifiers go first; then ANCIENT itself.
    expect(report).toMatchObject({ decisions: 1, identifiers: 2, keptPending: 4 });

    expect(store.getDecision('d-ANCIENT')).toBeUndefined();
    expect(store.events('d-ANCIENT')).toEqual([]);
    expect(graphStore.labelHistory('ANCIENT')).toEqual([]);
    // Past both horizons but pending: kept whole, identifiers and all.
    for (const id of ['ANCIENT-REVIEW', 'ANCIENT-RESERVED']) {
      expect(store.getDecision(`d-${id}`)).toBeDefined();
      expect([...store.identifiersSince(0)].some((i) => i.hash === hashOf(`device-${id}`))).toBe(true);
    }
    // Past the identifier horizon: the decision stays, its hashes are gone from the rows and from the document.
    const stored = store.getDecision('d-OLD');
    const text = JSON.stringify(stored?.document);
    for (const i of old.identifiers) expect(text).not.toContain(i.hash);
    expect(text).toContain(PURGED_IDENTIFIER);
    expect(text).toContain('+86 ***1234');
    expect([...store.identifiersSince(0)].filter((i) => old.identifiers.some((o) => o.hash === i.hash))).toEqual([]);
    expect(graphStore.labelHistory('OLD')).toHaveLength(1);
    // Inside both: untouched.
    expect(JSON.stringify(store.getDecision('d-RECENT')?.document)).toContain(recent.identifiers[0]?.hash);
    store.close();
  });

  it('carries on where it stopped: a second sweep reads only from the first pending decision on, and purges it once it is resolved', async () => {
    const { store, sweeper, decide } = fixture(POLICY, { pageSize: 5 });
    for (let i = 0; i < 12; i++) await decide(`A${i}`, 2000 + 12 - i);
    await decide('PENDING', 1999, 'awaiting_review');
    for (let i = 0; i < 7; i++) await decide(`B${i}`, 1990 - i);
    const read = vi.spyOn(store, 'decisionsBefore');
    const rows = () => read.mock.results.reduce((n, r) => n + (r.value as unknown[]).length, 0);

    expect((await sweeper.sweep()).decisions).toBe(19);
    // Each pass reads all 20 once (the identifiers pass first, then the decisions pass).
    expect(rows()).toBe(40);

    read.mockClear();
    expect(await sweeper.sweep()).toMatchObject({ decisions: 0, identifiers: 0, keptPending: 2 });
    // Only the pending one is read again, by each pass: nothing already swept.
    expect(rows()).toBe(2);

    store.setStatus('d-PENDING', 'final', 'approve');
    expect(await sweeper.sweep()).toMatchObject({ decisions: 1, keptPending: 0 });
    expect(store.countDecisions()).toBe(0);
    store.close();
  });

  it('purges in units of one page and gives the request thread back between pages', async () => {
    let pauses = 0;
    const { store, sweeper, decide } = fixture(POLICY, { pageSize: 10, pause: async () => void pauses++ });
    for (let i = 0; i < 35; i++) await decide(`A${i}`, 800 + i);
    const units = vi.spyOn(store, 'purgeIdentifiers');
    expect((await sweeper.sweep()).identifiers).toBe(35);
    expect(units.mock.calls.map(([page]) => page.length)).toEqual([10, 10, 10, 5]);
    expect(pauses).toBeGreaterThanOrEqual(3);
    store.close();
  });

  it('keeps everything with every horizon at 0', async () => {
    const { store, graph, sweeper, decide } = fixture({ decisionDays: 0, identifierDays: 0, graphWindowDays: 0 });
    await decide('ANCIENT', 20_000);
    expect(await sweeper.sweep()).toMatchObject({ decisions: 0, identifiers: 0, graph: undefined });
    expect(store.countDecisions()).toBe(1);
    expect(graph.identity.applications).toBe(1);
    store.close();
  });
});

describe('graph window', () => {
  it('starts at the shorter of the graph window and the identifier horizon', () => {
    expect(graphWindowStart({ decisionDays: 0, identifierDays: 0, graphWindowDays: 0 }, NOW)).toBeUndefined();
    expect(graphWindowStart({ decisionDays: 0, identifierDays: 730, graphWindowDays: 0 }, NOW)).toBe(NOW - 730 * DAY_MS);
    expect(graphWindowStart(POLICY, NOW)).toBe(NOW - 365 * DAY_MS);
  });

  it('is rebuilt from the store once a tenth of it is outside: old applications leave, arrivals during the rebuild and labels in force stay, and it is reclustered', async () => {
    let arrived = false;
    const f = fixture(POLICY, {
      pause: async () => {
        // An application decided while the rebuild reads the store: committed, and added to the graph in force.
        if (!arrived) {
          arrived = true;
          await f.decide('ARRIVED', 0, 'final', 'ring');
        }
      },
    });
    const { store, graphStore, graph, sweeper, decide } = f;
    for (let i = 0; i < 5; i++) await decide(`OLD${i}`, 400 + i, 'final', 'ring');
    for (let i = 0; i < 30; i++) await decide(`NEW${i}`, 300 - i, 'final', i < 3 ? 'ring' : undefined);
    graphStore.label({ applicationId: 'NEW0', label: 'fraud', by: 'inv-1', at: NOW });
    graph.label('NEW0', 'fraud');
    expect(5 / 35).toBeGreaterThanOrEqual(GRAPH_REBUILD_SHARE);
    await graph.recluster();
    expect(graph.clustering).toBeDefined();
    const before = graph.identity;

    const report = await sweeper.sweep();
    expect(report.graph).toEqual({ before: 35, after: 31 });
    expect(graph.identity).not.toBe(before);
    expect(graph.identity.indexOf('OLD0')).toBeUndefined();
    expect(graph.identity.indexOf('ARRIVED')).toBeDefined();
    expect(graph.identity.isLabelledFraud(graph.identity.indexOf('NEW0') as number)).toBe(true);
    // The old graph's clustering is indexed by the old graph: gone at once, replaced by a recluster of the new one.
    await vi.waitFor(() => expect(graph.clustering?.result.applications).toBe(31));
    // The phone shared with the old applications now links only the ones inside the window.
    const phone = graph.identity.identifierIndex('phone', hashOf('phone-ring'));
    expect(before.countOn(before.identifierIndex('phone', hashOf('phone-ring')))).toBe(9);
    expect(graph.identity.countOn(phone)).toBe(4);
    store.close();
  });

  it('is not rebuilt while less than a tenth of it is outside', async () => {
    const { store, graph, sweeper, decide } = fixture();
    await decide('OLD', 400);
    for (let i = 0; i < 20; i++) await decide(`NEW${i}`, 10);
    const before = graph.identity;
    expect((await sweeper.sweep()).graph).toBeUndefined();
    expect(graph.identity).toBe(before);
    store.close();
  });
});

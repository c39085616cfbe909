// The store's side of POST /decisions/search: what the HTTP test cannot arrange or see, decisions
// made in the same millisecond (the keyset breaks the tie by application id) and the query plan (an
// index range from the position, never a sort of every match).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditStore, type IdentifierPosition } from '../../src/store/audit-store';
import { decisionRow } from '../support/factories';
import { tempDir } from '../support/server';

const shared = (type = 'phone') => [{ type, hash: 'h-shared', masked: '***5678' }];

async function storeWith(): Promise<AuditStore> {
  const store = new AuditStore(':memory:');
  const rows = [
    decisionRow('A', { decidedAt: 2_000, identifiers: shared(), caller: 'key:los' }),
    decisionRow('C', { decidedAt: 2_000, identifiers: shared() }),
    decisionRow('B', { decidedAt: 2_000, identifiers: shared(), caller: 'key:los' }),
    decisionRow('D', { decidedAt: 1_000, identifiers: shared() }),
    decisionRow('E', { decidedAt: 3_000, identifiers: shared() }),
    decisionRow('F', { decidedAt: 2_500 }),
    decisionRow('G', { decidedAt: 2_500, identifiers: shared('deviceId') }),
  ];
  await Promise.all(rows.map((r) => store.commit(() => store.insertDecision(r, 'final'))));
  return store;
}

function walk(store: AuditStore, limit: number, caller?: string): string[] {
  const seen: string[] = [];
  let after: IdentifierPosition | undefined;
  do {
    const page = store.decisionsWithIdentifier('phone', 'h-shared', caller ? { caller } : {}, after, limit);
    expect(page.decisions.length).toBeLessThanOrEqual(limit);
    seen.push(...page.decisions.map((d) => d.applicationId));
    after = page.next;
  } while (after);
  return seen;
}

describe('AuditStore.decisionsWithIdentifier', () => {
  it('pages newest first, ties in the same millisecond by application id, each decision once', async () => {
    const store = await storeWith();
    for (const limit of [1, 2, 3, 10]) expect(walk(store, limit)).toEqual(['E', 'C', 'B', 'A', 'D']);
    expect(walk(store, 1, 'key:los')).toEqual(['B', 'A']);
    expect(walk(store, 5, 'key:other')).toEqual([]);
    store.close();
  });

  it('reads an index range: no scan of the table and no sort', async () => {
    const store = await storeWith();
    // The statement's own SQL (better-sqlite3 keeps it as `source`), planned as it runs.
    const sql = (store as unknown as { statements: { withIdentifier: { source: string } } }).statements.withIdentifier.source;
    const plan = store.database
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all({ type: 'phone', hash: 'h-shared', caller: null, decidedAt: 2_000, applicationId: 'B', limit: 2 })
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH i USING (COVERING )?INDEX application_identifiers_by_hash \(type=\? AND hash=\? AND/);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN/);
    store.close();
  });
});

describe('the identifier search index during a bulk import', () => {
  const indexed = (store: AuditStore) =>
    store.database.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND name = 'application_identifiers_by_hash'").get() as { n: number };

  it('is dropped for the load and built again at its end, or at the next open if the load stopped first', async () => {
    const file = path.join(tempDir(), 'audit.db');
    let store = new AuditStore(file);
    const rebuild = store.suspendIdentifierSearchIndex();
    expect(indexed(store).n).toBe(0);
    rebuild();
    expect(indexed(store).n).toBe(1);
    store.suspendIdentifierSearchIndex();
    await store.close();
    // The import stopped before building it: the next open does.
    store = new AuditStore(file);
    expect(indexed(store).n).toBe(1);
    await store.close();
  });
});

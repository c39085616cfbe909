// Retention on the embedded store: its decisions in (decided_at, rowid) order, purged in units of
// the store's group commit, the marks in store_meta. A replica's local copy applies the shared
// database's purges (postgres/retention.ts) with purgeLocally, the same way.
import type { AuditStore, RetentionPosition } from './audit-store';
import type { GraphStore } from './graph-store';
import type { PurgeSubject, RetentionCandidateAt, RetentionPass, RetentionTarget } from './retention-target';
import { getMeta, setMeta } from './store-meta';

/** Where each pass carries on (store_meta names). */
const MARKS: Readonly<Record<RetentionPass, string>> = { identifiers: 'retention.identifiers_after', decisions: 'retention.decisions_after' };

/**
 * Inside a unit of the store's work: forgets what `pass` forgets of these decisions (pending ones
 * are kept). A purged decision's labels go with it. Returns how many were forgotten.
 */
export function purgeLocally(store: AuditStore, labels: GraphStore, pass: RetentionPass, subjects: readonly PurgeSubject[]): number {
  if (pass === 'identifiers') return store.purgeIdentifiers(subjects);
  const gone = store.purgeDecisions(subjects);
  for (const c of gone) labels.purgeLabels(c.applicationId);
  return gone.length;
}

export class LocalRetention implements RetentionTarget<RetentionPosition> {
  constructor(
    private readonly store: AuditStore,
    private readonly labels: GraphStore,
  ) {}

  async mark(pass: RetentionPass): Promise<RetentionPosition | undefined> {
    const saved = getMeta(this.store.database, MARKS[pass]);
    return saved ? (JSON.parse(saved) as RetentionPosition) : undefined;
  }

  async page(cutoff: number, after: RetentionPosition | undefined, size: number): Promise<RetentionCandidateAt<RetentionPosition>[]> {
    return this.store.decisionsBefore(cutoff, after, size).map((c) => ({ ...c, position: { decidedAt: c.decidedAt, row: c.row } }));
  }

  purge(pass: RetentionPass, page: readonly RetentionCandidateAt<RetentionPosition>[], mark: RetentionPosition | undefined): Promise<number> {
    return this.store.commit(() => {
      const n = purgeLocally(this.store, this.labels, pass, page);
      if (mark) setMeta(this.store.database, MARKS[pass], JSON.stringify(mark));
      return n;
    });
  }
}

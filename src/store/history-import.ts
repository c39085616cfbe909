// Imported history on replicas: a batch of past decisions (and their labels) from a lender's own
// records, stored all or nothing on the shared database and copied by every replica
// (postgres/replica.ts). On one instance the embedded store takes the batch in one unit of work
// (src/decision/history.ts).
import type { DecisionRow } from './audit-store';
import type { ApplicationLabel } from './graph-store';

export interface HistoryEntry {
  readonly row: DecisionRow;
  readonly label?: ApplicationLabel;
}

/** An application in the batch is stored already with another body (found at commit: the local copy had not seen it). */
export class HistoryConflictError extends Error {
  constructor(readonly applicationId: string) {
    super(`application ${JSON.stringify(applicationId)} is already recorded with a different body`);
    this.name = 'HistoryConflictError';
  }
}

export interface SharedHistory {
  /** Stores the entries not stored yet, all or nothing; returns those it stored. */
  importHistory(entries: readonly HistoryEntry[], source: string, importedAt: number): Promise<HistoryEntry[]>;
}

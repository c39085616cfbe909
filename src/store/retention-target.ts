// Where a retention sweep (src/decision/retention.ts) finds old decisions and forgets them: the
// embedded store (local-retention.ts), or, with several replicas, the shared database
// (postgres/retention.ts), whose purges each replica's local copy then applies from the stream.
// The sweep's paging, pacing and "stop the mark before the first pending decision" are the
// same for both; only the positions differ (a SQLite rowid, a PostgreSQL decision id).

/** Identifiers go first (their keyed hashes), decisions later (everything kept about them). */
export type RetentionPass = 'identifiers' | 'decisions';

/** A decision a pass forgets (or, where pending, keeps). */
export interface PurgeSubject {
  readonly decisionId: string;
  readonly applicationId: string;
  /** Awaiting review, or holding a live exposure reservation: kept whatever its age. */
  readonly pending: boolean;
}

export interface RetentionCandidateAt<P> extends PurgeSubject {
  readonly decidedAt: number;
  /** Where a pass carries on after this decision. */
  readonly position: P;
}

export interface RetentionTarget<P> {
  /** Where `pass` stopped last time (undefined: from the oldest decision). */
  mark(pass: RetentionPass): Promise<P | undefined>;
  /** Up to `size` decisions decided before `cutoff`, after `after`, oldest first. */
  page(cutoff: number, after: P | undefined, size: number): Promise<readonly RetentionCandidateAt<P>[]>;
  /**
   * In one unit of work: forgets what `pass` forgets of the page's decisions that are not
   * pending, and saves `mark` (when given) as where the pass carries on. Returns how many.
   */
  purge(pass: RetentionPass, page: readonly RetentionCandidateAt<P>[], mark: P | undefined): Promise<number>;
}

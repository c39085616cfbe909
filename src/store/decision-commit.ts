// Committing a new decision: the one step where instances of the service must agree. Two
// adapters: the embedded one (SQLite, one process; src/store/local-decision-commit.ts) and the
// shared one (PostgreSQL, several replicas; src/store/postgres/decision-commit.ts). Both give
// the decision service the same guarantees, and test/store/decision-commit.contract.ts holds
// both to them:
//
// - an application is decided once: whoever commits second gets the stored decision back;
// - the exposure a plan is settled against is the region's committed exposure, read under
//   whatever makes it exclusive (the event loop's single step, or the region's row lock), so no
//   two approvals can both take the last room;
// - nothing is acknowledged before it is durable, and a failed commit leaves nothing behind.
import type { RegionExposure } from '../limits/regions';
import type { DecisionRow, DecisionStatus, Reservation, StoredDecision } from './audit-store';

/** What a decision becomes once the region's exposure is known. */
export interface CommitPlan {
  readonly row: DecisionRow;
  readonly status: DecisionStatus;
  /** The room an approval takes; undefined for anything else (and for a zero amount). */
  readonly reservation?: Reservation;
  /** The fraud community the application linked into, for replicas following the decision stream. */
  readonly clusterId?: string | null;
}

export interface CommitRequest<P extends CommitPlan = CommitPlan> {
  readonly applicationId: string;
  /**
   * The region whose exposure the plan depends on (an approval's); undefined when it depends on
   * none. The adapter reads that exposure exclusively and holds it until the commit.
   */
  readonly exposureRegion?: string;
  /** Settles the decision against the region's exposure (NO_EXPOSURE without exposureRegion). Synchronous and pure. */
  readonly plan: (exposure: RegionExposure) => P;
}

export type CommitOutcome<P extends CommitPlan = CommitPlan> =
  | { readonly stored: true; readonly plan: P }
  /** The application was decided already (by an earlier request, or a concurrent one on any instance). */
  | { readonly stored: false; readonly existing: StoredDecision };

export interface DecisionCommitter {
  commit<P extends CommitPlan>(request: CommitRequest<P>): Promise<CommitOutcome<P>>;
  /** The stored decision of an application, for an answer before anything is evaluated (a retry). */
  findByApplicationId(applicationId: string): Promise<StoredDecision | undefined>;
}

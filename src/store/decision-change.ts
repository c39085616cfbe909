// Changing a stored decision after its automatic answer (a reviewer's sign-off, a cancel, an
// expiry): like committing one (decision-commit.ts), the step where instances must agree, with an
// embedded adapter (SQLite, one process: local-decision-change.ts) and a shared one (PostgreSQL,
// replicas: postgres/decision-change.ts), held to one contract test. The decision, its live
// reservation and (where asked) its region's exposure are read exclusively; the plan decides from
// them or refuses by throwing; the change commits whole (status, history, booking or release) or
// not at all, and a release gives the room back once.
import type { RegionExposure } from '../limits/regions';
import type { DecisionStatus, LoanOutcomeRow, Reservation, StoredDecision } from './audit-store';

export interface DecisionChange {
  readonly status: DecisionStatus;
  readonly currentOutcome: string;
  /** The entry the change adds to the decision's history. */
  readonly event: { readonly at: number; readonly type: string; readonly detail: Readonly<Record<string, unknown>> };
  /** The room an approval given at sign-off takes. */
  readonly reserve?: Reservation;
  /** Gives the decision's live reservation back (with event.type as the reason). */
  readonly release?: boolean;
  /** How the loan turned out, reported by the lender (replaces an earlier report). */
  readonly loanOutcome?: LoanOutcomeRow;
}

export interface ChangeContext {
  /** Undefined where no decision has this id. */
  readonly decision: StoredDecision | undefined;
  /** The decision's unreleased reservation, if it holds one. */
  readonly reservation: Reservation | undefined;
  /** The decision's region's committed exposure where the request asked for it (NO_EXPOSURE otherwise). */
  readonly exposure: RegionExposure;
  /** How the loan turned out, as last reported. */
  readonly loanOutcome: LoanOutcomeRow | undefined;
}

export interface ChangeRequest<R> {
  readonly decisionId: string;
  /** Whether the plan reads the region's exposure (a sign-off that may approve). */
  readonly needsExposure: boolean;
  /**
   * Decides the change, or throws to refuse it; no change (undefined) where the request changes
   * nothing (a report made again). Nothing is written without a change. Synchronous and pure.
   */
  readonly plan: (context: ChangeContext) => Planned<R>;
}

export interface Planned<R> {
  readonly change: DecisionChange | undefined;
  readonly result: R;
}

export interface DecisionChanger {
  change<R>(request: ChangeRequest<R>): Promise<Planned<R>>;
  /** Decisions whose approval's reservation is unreleased and expires at or before `now`. */
  expiring(now: number): Promise<string[]>;
}

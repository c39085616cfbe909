// The embedded adapter of DecisionCommitter (decision-commit.ts): one process owns the SQLite
// store. The idempotency check, the exposure read and the booking of the reservation in the
// in-memory book (the mirror of the ledger's live reservations) happen in one synchronous step on
// the event loop, so no two approvals take the same room; the rows then commit on the decision
// writer, and the booking is taken back if that commit fails. A decision of the same application
// still in flight is waited for, then answered as a retry would be.
import type { ExposureBook } from '../limits/exposure-book';
import { ApplicationExistsError, type AuditStore, type StoredDecision } from './audit-store';
import type { CommitOutcome, CommitPlan, CommitRequest, DecisionCommitter } from './decision-commit';
import { NO_EXPOSURE } from '../limits/regions';

export class LocalDecisionCommitter implements DecisionCommitter {
  constructor(
    private readonly store: AuditStore,
    private readonly book: ExposureBook,
  ) {}

  async findByApplicationId(applicationId: string): Promise<StoredDecision | undefined> {
    return this.store.findByApplicationId(applicationId);
  }

  async commit<P extends CommitPlan>(request: CommitRequest<P>): Promise<CommitOutcome<P>> {
    const { store, book } = this;
    for (let inFlight = store.decisionInFlight(request.applicationId); ; inFlight = store.decisionInFlight(request.applicationId)) {
      const existing = store.findByApplicationId(request.applicationId);
      if (existing) return { stored: false, existing };
      if (!inFlight) break;
      await inFlight.catch(() => undefined);
    }
    const plan = request.plan(request.exposureRegion === undefined ? NO_EXPOSURE : book.get(request.exposureRegion));
    if (plan.reservation) book.apply(plan.reservation, 1);
    try {
      await store.writeDecision(plan.row, plan.status, plan.reservation);
    } catch (err) {
      if (plan.reservation) book.apply(plan.reservation, -1);
      // Stored meanwhile by another road (history imported in between): answer as a retry would.
      const existing = err instanceof ApplicationExistsError ? store.findByApplicationId(request.applicationId) : undefined;
      if (existing) return { stored: false, existing };
      throw err;
    }
    return { stored: true, plan };
  }
}

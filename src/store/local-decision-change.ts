// The embedded adapter of DecisionChanger (decision-change.ts): the read, the plan and the writes
// run as one unit of work of the audit store (one IMMEDIATE transaction on its connection), and
// the in-memory book follows the booking or release; a unit whose commit fails takes that back.
import type { ExposureBook } from '../limits/exposure-book';
import { NO_EXPOSURE } from '../limits/regions';
import type { AuditStore, LoanOutcomeRow, Reservation } from './audit-store';
import type { ChangeRequest, DecisionChange, DecisionChanger, Planned } from './decision-change';

/** The decision's reservation while it is unreleased. */
export function liveReservation(store: AuditStore, decisionId: string): Reservation | undefined {
  const r = store.reservation(decisionId);
  if (!r || r.releasedAt !== null) return undefined;
  const { releasedAt: _released, ...live } = r;
  return live;
}

/**
 * Writes a change into the store (inside a unit of work) and the book; returns what it moved. A
 * change met again (the same history entry is there: a replica's copy receiving it a second time)
 * writes nothing and returns undefined.
 */
export function applyChange(store: AuditStore, book: ExposureBook, decisionId: string, change: DecisionChange): AppliedChange | undefined {
  const { event } = change;
  if (store.events(decisionId).some((e) => e.at === event.at && e.type === event.type)) return undefined;
  store.setStatus(decisionId, change.status, change.currentOutcome);
  store.addEvent(decisionId, event.at, event.type, event.detail);
  if (change.loanOutcome) {
    const first = store.loanOutcome(decisionId) === undefined;
    store.setLoanOutcome(change.loanOutcome);
    return { outcome: { row: change.loanOutcome, first } };
  }
  // A copy made from the shared record after the booking already holds it.
  if (change.reserve && !store.reservation(decisionId)) {
    store.reserve(change.reserve);
    book.apply(change.reserve, 1);
    return { moved: { reservation: change.reserve, sign: 1 } };
  }
  if (change.release) {
    const live = liveReservation(store, decisionId);
    if (live && store.release(decisionId, event.at, event.type)) {
      book.apply(live, -1);
      return { moved: { reservation: live, sign: -1 } };
    }
  }
  return {};
}

/** What applying a change moved: a booking (+1 taken, −1 given back), or a loan's outcome (first: none was reported before). */
export interface AppliedChange {
  readonly moved?: { readonly reservation: Reservation; readonly sign: 1 | -1 };
  readonly outcome?: { readonly row: LoanOutcomeRow; readonly first: boolean };
}

/** Takes back what a change did to the book, where its unit of work failed to commit. */
export function undoInBook(book: ExposureBook, applied: AppliedChange | undefined): void {
  if (applied?.moved) book.apply(applied.moved.reservation, applied.moved.sign === 1 ? -1 : 1);
}

export class LocalDecisionChanger implements DecisionChanger {
  constructor(
    private readonly store: AuditStore,
    private readonly book: ExposureBook,
  ) {}

  async change<R>(request: ChangeRequest<R>): Promise<Planned<R>> {
    const { store, book } = this;
    const done = await store.commit(
      () => {
        const decision = store.getDecision(request.decisionId);
        const planned = request.plan({
          decision,
          reservation: liveReservation(store, request.decisionId),
          exposure: request.needsExposure && decision ? book.get(decision.region) : NO_EXPOSURE,
          loanOutcome: store.loanOutcome(request.decisionId),
        });
        const applied = planned.change ? applyChange(store, book, request.decisionId, planned.change) : undefined;
        return { planned, applied };
      },
      ({ applied }) => undoInBook(book, applied),
    );
    return done.planned;
  }

  async expiring(now: number): Promise<string[]> {
    return this.store.expiringReservations(now);
  }
}

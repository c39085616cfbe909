// What happens to a decision after the automatic answer: a reviewer's sign-off, a loan not taken
// up (cancel), an approval never drawn (expiry). Each is one unit of work in the audit store, so
// the decision's history and the exposure ledger change together, and a release happens once.
import { isApprovalLevel, levelRank, type ApprovalLevel } from '../approval/authority';
import type { ExposureBook } from '../limits/exposure-book';
import { REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import { lendingAmount } from '../rules/facts';
import type { RuleSet } from '../rules/ruleset';
import type { AuditStore, Reservation } from '../store/audit-store';
import { DecisionNotFoundError, DecisionStateError, InsufficientAuthorityError, RegionLimitExceededError } from './errors';
import { checkExposure, reserveExposure } from './reservations';
import { storedDocumentOf } from './record';

export interface SignOff {
  readonly reviewer: string;
  readonly level: ApprovalLevel;
  readonly outcome: 'approve' | 'decline';
  readonly note?: string;
}

export interface LifecycleDeps {
  readonly store: AuditStore;
  readonly exposure: ExposureBook;
  readonly ruleSet: () => RuleSet;
  readonly clock?: () => number;
  readonly onReleased?: (reservation: Reservation, reason: 'cancelled' | 'expired') => void;
}

export class DecisionLifecycle {
  private readonly clock: () => number;

  constructor(private readonly deps: LifecycleDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Records a human decision on an application awaiting review; an approval reserves exposure. */
  async signOff(decisionId: string, signOff: SignOff): Promise<void> {
    const { store, exposure: book } = this.deps;
    const regions = this.deps.ruleSet().tables.get(REGIONS_TABLE) as RegionsTable;
    await store.commit(
      () => {
        const decision = store.getDecision(decisionId);
        if (!decision) throw new DecisionNotFoundError(decisionId);
        const document = storedDocumentOf(decision.document);
        if (decision.status !== 'awaiting_review') {
          throw new DecisionStateError(`decision ${decisionId} is not awaiting review (status ${decision.status}, outcome ${decision.currentOutcome})`);
        }
        const required = isApprovalLevel(document.approvalLevel) ? document.approvalLevel : 'L1';
        if (levelRank(signOff.level) < levelRank(required)) {
          throw new InsufficientAuthorityError(`decision ${decisionId} needs sign-off at ${required} or above; ${signOff.reviewer} signs at ${signOff.level}`);
        }
        const now = this.clock();
        let reservation: Reservation | undefined;
        if (signOff.outcome === 'approve') {
          const input = { decisionId, region: decision.region, product: decision.product, amount: lendingAmount(document.facts), pd: document.score?.pd ?? null };
          const check = checkExposure(book.get(input.region), regions, input);
          if (check.wouldExceed) {
            throw new RegionLimitExceededError(`region ${decision.region} has ${check.available} of ${check.limit} available; approving ${input.amount} would exceed it`);
          }
          reservation = reserveExposure(store, book, regions, input, now);
        }
        store.setStatus(decisionId, 'final', signOff.outcome);
        store.addEvent(decisionId, now, 'signed_off', { reviewer: signOff.reviewer, level: signOff.level, outcome: signOff.outcome, ...(signOff.note ? { note: signOff.note } : {}) });
        return reservation;
      },
      (reservation) => {
        if (reservation) book.apply(reservation, -1);
      },
    );
  }

  /** The loan was not taken up: releases the approval's reservation, exactly once. */
  async cancel(decisionId: string, by: string, note?: string): Promise<void> {
    const { store } = this.deps;
    const released = await store.commit(
      () => {
        const decision = store.getDecision(decisionId);
        if (!decision) throw new DecisionNotFoundError(decisionId);
        if (decision.status !== 'final' || decision.currentOutcome !== 'approve') {
          throw new DecisionStateError(`only a final approval can be cancelled; decision ${decisionId} is ${decision.status} with outcome ${decision.currentOutcome}`);
        }
        return this.release(decisionId, 'cancelled', { by, ...(note ? { note } : {}) });
      },
      (reservation) => {
        if (reservation) this.deps.exposure.apply(reservation, 1);
      },
    );
    if (released) this.deps.onReleased?.(released, 'cancelled');
  }

  /** Releases every approval not drawn before its expiry; returns how many. */
  async expireDue(): Promise<number> {
    const { store } = this.deps;
    const now = this.clock();
    const released = await store.commit(
      () => store.expiringReservations(now).flatMap((id) => this.release(id, 'expired', {}) ?? []),
      (list) => list.forEach((r) => this.deps.exposure.apply(r, 1)),
    );
    for (const r of released) this.deps.onReleased?.(r, 'expired');
    return released.length;
  }

  /** Inside a unit of work: the ledger row, the decision's status and history, then the book. */
  private release(decisionId: string, reason: 'cancelled' | 'expired', detail: Record<string, unknown>): Reservation | undefined {
    const { store } = this.deps;
    const reservation = store.reservation(decisionId);
    const now = this.clock();
    if (!reservation || !store.release(decisionId, now, reason)) {
      throw new DecisionStateError(`decision ${decisionId} holds no live reservation (already released)`);
    }
    store.setStatus(decisionId, reason, 'approve');
    store.addEvent(decisionId, now, reason, { amount: reservation.amount, region: reservation.region, ...detail });
    this.deps.exposure.apply(reservation, -1);
    return reservation;
  }
}

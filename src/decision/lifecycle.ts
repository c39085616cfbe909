// What happens to a decision after the automatic answer: a reviewer's sign-off, a loan not taken
// up (cancel), an approval never drawn (expiry). Each is one change of the decision (the store's
// DecisionChanger), so the decision's history and the exposure ledger change together, on one
// instance or across replicas, and a release happens once.
import { isApprovalLevel, levelRank, type ApprovalLevel } from '../approval/authority';
import { REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import { lendingAmount } from '../rules/facts';
import type { RuleSet } from '../rules/ruleset';
import type { Reservation } from '../store/audit-store';
import type { DecisionChanger } from '../store/decision-change';
import { DecisionNotFoundError, DecisionStateError, InsufficientAuthorityError, RegionLimitExceededError } from './errors';
import { checkExposure, reservationOf } from './reservations';
import { storedDocumentOf } from './record';

export interface SignOff {
  readonly reviewer: string;
  readonly level: ApprovalLevel;
  readonly outcome: 'approve' | 'decline';
  readonly note?: string;
}

const EXPIRY_BATCH = 100;

export interface LifecycleDeps {
  /** Where changes commit: the embedded store's, or the replicas' shared one (src/store/decision-change.ts). */
  readonly changer: DecisionChanger;
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
    const regions = this.deps.ruleSet().tables.get(REGIONS_TABLE) as RegionsTable;
    const now = this.clock();
    await this.deps.changer.change({
      decisionId,
      needsExposure: signOff.outcome === 'approve',
      plan: ({ decision, exposure }) => {
        if (!decision) throw new DecisionNotFoundError(decisionId);
        const document = storedDocumentOf(decision.document);
        if (decision.status !== 'awaiting_review') {
          throw new DecisionStateError(`decision ${decisionId} is not awaiting review (status ${decision.status}, outcome ${decision.currentOutcome})`);
        }
        const required = isApprovalLevel(document.approvalLevel) ? document.approvalLevel : 'L1';
        if (levelRank(signOff.level) < levelRank(required)) {
          throw new InsufficientAuthorityError(`decision ${decisionId} needs sign-off at ${required} or above; ${signOff.reviewer} signs at ${signOff.level}`);
        }
        let reservation: Reservation | undefined;
        if (signOff.outcome === 'approve') {
          const input = { decisionId, region: decision.region, product: decision.product, amount: lendingAmount(document.facts), pd: document.score?.pd ?? null };
          const check = checkExposure(exposure, regions, input);
          if (check.wouldExceed) {
            throw new RegionLimitExceededError(`region ${decision.region} has ${check.available} of ${check.limit} available; approving ${input.amount} would exceed it`);
          }
          reservation = reservationOf(regions, input, now);
        }
        const detail = { reviewer: signOff.reviewer, level: signOff.level, outcome: signOff.outcome, ...(signOff.note ? { note: signOff.note } : {}) };
        return { change: { status: 'final', currentOutcome: signOff.outcome, event: { at: now, type: 'signed_off', detail }, ...(reservation ? { reserve: reservation } : {}) }, result: undefined };
      },
    });
  }

  /** The loan was not taken up: releases the approval's reservation, exactly once. */
  async cancel(decisionId: string, by: string, note?: string): Promise<void> {
    const now = this.clock();
    const { result: released } = await this.deps.changer.change({
      decisionId,
      needsExposure: false,
      plan: ({ decision, reservation }) => {
        if (!decision) throw new DecisionNotFoundError(decisionId);
        if (decision.status !== 'final' || decision.currentOutcome !== 'approve') {
          throw new DecisionStateError(`only a final approval can be cancelled; decision ${decisionId} is ${decision.status} with outcome ${decision.currentOutcome}`);
        }
        return this.release(decisionId, reservation, now, 'cancelled', { by, ...(note ? { note } : {}) });
      },
    });
    this.deps.onReleased?.(released, 'cancelled');
  }

  /** Releases every approval not drawn before its expiry; returns how many. */
  async expireDue(): Promise<number> {
    const now = this.clock();
    const due = await this.deps.changer.expiring(now);
    let released = 0;
    // A hundred at a time: the embedded store commits the units of one turn of the event loop together.
    for (let i = 0; i < due.length; i += EXPIRY_BATCH) {
      const batch = due.slice(i, i + EXPIRY_BATCH);
      const results = await Promise.allSettled(
        batch.map((decisionId) => this.deps.changer.change({ decisionId, needsExposure: false, plan: ({ reservation }) => this.release(decisionId, reservation, now, 'expired', {}) })),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') {
          this.deps.onReleased?.(r.value.result, 'expired');
          released += 1;
        } else if (!(r.reason instanceof DecisionStateError)) {
          // Released meanwhile (a cancel, another replica's sweep) is a DecisionStateError: nothing left to expire.
          throw r.reason;
        }
      }
    }
    return released;
  }

  /** The release of a live reservation, with its history entry. */
  private release(decisionId: string, reservation: Reservation | undefined, at: number, reason: 'cancelled' | 'expired', detail: Record<string, unknown>) {
    if (!reservation) throw new DecisionStateError(`decision ${decisionId} holds no live reservation (already released)`);
    return {
      change: { status: reason, currentOutcome: 'approve', event: { at, type: reason, detail: { amount: reservation.amount, region: reservation.region, ...detail } }, release: true },
      result: reservation,
    };
  }
}

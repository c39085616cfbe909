// How approved loans turned out, fed back by the lender: repaid, defaulted, fraud, written off.
// Each report is one change of the decision (the outcome row and its history entry, on one
// instance or across replicas), idempotent; an
// outcome moves only forward (a default written off, a default found to be fraud). Calibration
// (observed bad rate against the PD the loan was priced at, by grade) is kept in memory from them.
import { DecisionNotFoundError, DecisionStateError } from './errors';
import { storedDocumentOf } from './record';
import type { AuditStore, LoanOutcomeRow } from '../store/audit-store';
import type { DecisionChanger } from '../store/decision-change';

export const LOAN_OUTCOMES = ['repaid', 'defaulted', 'fraud', 'written_off'] as const;
export type LoanOutcome = (typeof LOAN_OUTCOMES)[number];

/** What counts as a bad loan when calibration compares outcomes with predicted PD. */
const BAD: ReadonlySet<string> = new Set<LoanOutcome>(['defaulted', 'fraud', 'written_off']);

/** The statuses each may move on to later; repaid is final. */
const LATER: Readonly<Record<LoanOutcome, readonly LoanOutcome[]>> = {
  repaid: [],
  defaulted: ['fraud', 'written_off'],
  fraud: ['written_off'],
  written_off: [],
};

export interface OutcomeReport {
  readonly status: LoanOutcome;
  /** Epoch ms when it happened. */
  readonly at: number;
}

export interface Calibration {
  readonly grade: string;
  readonly loans: number;
  readonly bad: number;
  readonly observedBadRate: number;
  readonly predictedPd: number;
}

interface GradeTotals {
  loans: number;
  bad: number;
  pdSum: number;
}

export class LoanOutcomes {
  private readonly byGrade = new Map<string, GradeTotals>();

  constructor(
    /** Totals at start: the store's (on a replica, its local copy's; outcomes copied later are observed). */
    store: AuditStore,
    private readonly changer: DecisionChanger,
    private readonly clock: () => number = Date.now,
    /** Told of each outcome that changed something, with calibration as it stands (metrics); here: reported to this instance, not copied from another replica. */
    private readonly onRecorded?: (outcome: LoanOutcomeRow, calibration: readonly Calibration[], here: boolean) => void,
  ) {
    for (const t of store.loanOutcomeTotals()) {
      if (t.grade === null) continue;
      const g = this.totals(t.grade);
      g.loans += t.loans;
      if (BAD.has(t.status)) g.bad += t.loans;
      g.pdSum += t.pdSum;
    }
  }

  private totals(grade: string): GradeTotals {
    let g = this.byGrade.get(grade);
    if (!g) this.byGrade.set(grade, (g = { loans: 0, bad: 0, pdSum: 0 }));
    return g;
  }

  /**
   * Records how an approved loan turned out. The same report again changes nothing; a later status
   * moves it on; any other different one is refused (DecisionStateError), as is a decision that
   * is not an approved loan, or a time before the decision or in the future.
   */
  async record(decisionId: string, report: OutcomeReport, by: string): Promise<{ outcome: LoanOutcomeRow; changed: boolean }> {
    const now = this.clock();
    const { result } = await this.changer.change({
      decisionId,
      needsExposure: false,
      plan: ({ decision, loanOutcome: earlier }) => {
        if (!decision) throw new DecisionNotFoundError(decisionId);
        if (decision.currentOutcome !== 'approve' || (decision.status !== 'final' && decision.status !== 'expired')) {
          throw new DecisionStateError(`decision ${decisionId} is not an approved loan (status ${decision.status}, outcome ${decision.currentOutcome}): it has no outcome to report`);
        }
        if (report.at < decision.decidedAt || report.at > now) {
          throw new DecisionStateError(`an outcome happens after its decision (${new Date(decision.decidedAt).toISOString()}) and not in the future`);
        }
        if (earlier && earlier.status === report.status && earlier.at === report.at) return { change: undefined, result: { outcome: earlier, changed: false, first: false } };
        if (earlier && !LATER[earlier.status as LoanOutcome]?.includes(report.status)) {
          throw new DecisionStateError(`decision ${decisionId} turned out ${earlier.status} already; ${report.status} is not a later status (${LATER[earlier.status as LoanOutcome]?.join(', ') || 'none'})`);
        }
        const score = storedDocumentOf(decision.document).score;
        const outcome: LoanOutcomeRow = { decisionId, status: report.status, at: report.at, grade: earlier?.grade ?? score?.grade ?? null, pd: earlier?.pd ?? score?.pd ?? null, recordedBy: by, recordedAt: now };
        const event = { at: now, type: 'outcome_recorded', detail: { status: report.status, at: new Date(report.at).toISOString(), by, ...(earlier ? { previous: earlier.status } : {}) } };
        return { change: { status: decision.status, currentOutcome: decision.currentOutcome, event, loanOutcome: outcome }, result: { outcome, changed: true, first: !earlier } };
      },
    });
    if (result.changed) this.observe(result.outcome, result.first, true);
    return { outcome: result.outcome, changed: result.changed };
  }

  /**
   * Counts an outcome recorded (here, or by another replica and copied here) in calibration. Every
   * later status is bad too: only a loan's first report moves the counts.
   */
  observe(outcome: LoanOutcomeRow, first: boolean, here = false): void {
    if (first && outcome.grade !== null) {
      const g = this.totals(outcome.grade);
      g.loans++;
      if (BAD.has(outcome.status)) g.bad++;
      g.pdSum += outcome.pd ?? 0;
    }
    this.onRecorded?.(outcome, this.calibration(), here);
  }

  /** Observed bad rate against the mean predicted PD, by grade. */
  calibration(): Calibration[] {
    return [...this.byGrade]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([grade, g]) => ({ grade, loans: g.loans, bad: g.bad, observedBadRate: g.loans > 0 ? g.bad / g.loans : 0, predictedPd: g.loans > 0 ? g.pdSum / g.loans : 0 }));
  }
}

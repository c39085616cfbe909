// Champion–challenger: a product's challenger flow (rules/shadow/<product>.json) decides each
// application again after the champion has answered and committed, on the same inputs (the
// record's request and the facts its providers computed: nothing is asked of a provider twice,
// nothing reaches the exposure ledger, the velocity index or the graph). It runs within its own
// flow's budget; what it decided, or that it threw or overran, is stored beside the decision.
// The caller's answer never waits for it and never changes because of it.
import { roundTo } from '../common/round';
import type { ProtectedIdentifiers } from '../identity/identifiers';
import type { Challenger, Outcome, RuleSet } from '../rules/ruleset';
import type { ShadowRow, ShadowTotal } from '../store/audit-store';
import type { DecisionRecord } from './record';
import { decideAgain, type DecidedAgain } from './replay';

/** How a shadow run ended: agreed or disagreed with the champion, or gave no decision. */
export type ShadowResult = 'agree' | 'disagree' | 'failed' | 'timed_out' | 'skipped_under_load';
export const SHADOW_RESULTS: readonly ShadowResult[] = ['agree', 'disagree', 'failed', 'timed_out', 'skipped_under_load'];

export interface ShadowDeps {
  /** Stores the challenger's result (through the decision writer's group commits). */
  readonly write: (row: ShadowRow) => Promise<void>;
  /** While the service sheds load, challengers are skipped: they are optional work. */
  readonly saturated: () => boolean;
  /** Monotonic milliseconds, for the challenger's elapsed time. */
  readonly now?: () => number;
  /** Resolves after `ms` (the challenger's budget); tests pass one they control. */
  readonly after?: (ms: number) => Promise<void>;
  /** Decides the record with the challenger's flow (the default: on the stored facts, settled without the ledger). */
  readonly decide?: (record: DecisionRecord, identifiers: ProtectedIdentifiers, challenger: Challenger, ruleSet: RuleSet) => Promise<DecidedAgain>;
  readonly onResult?: (product: string, result: ShadowResult, elapsedMs: number) => void;
  /** A shadow result that could not be stored (the decision stands; the row is missing from the report). */
  readonly onWriteFailed?: (err: Error) => void;
}

const decideWithChallenger = async (record: DecisionRecord, identifiers: ProtectedIdentifiers, challenger: Challenger, ruleSet: RuleSet): Promise<DecidedAgain> =>
  (await decideAgain(record, identifiers, challenger.flow, ruleSet, { commitTimeExposure: false })).decision;

const TIMED_OUT: unique symbol = Symbol('timed out');

export class ShadowRunner {
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly after: (ms: number) => Promise<void>;
  private readonly decide: NonNullable<ShadowDeps['decide']>;

  constructor(private readonly deps: ShadowDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.after = deps.after ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
    this.decide = deps.decide ?? decideWithChallenger;
  }

  /**
   * Starts the product's challenger on a committed decision, if the rule set names one; returns
   * at once. Never throws: a challenger's failure is its own row, never the champion's.
   */
  start(record: DecisionRecord, identifiers: ProtectedIdentifiers, ruleSet: RuleSet, decidedAt: number): void {
    const challenger = ruleSet.challengers.get(record.product);
    if (!challenger) return;
    if (this.deps.saturated()) {
      this.deps.onResult?.(record.product, 'skipped_under_load', 0);
      return;
    }
    const run = this.runOne(record, identifiers, challenger, ruleSet, decidedAt).catch((err: unknown) => this.deps.onWriteFailed?.(err as Error));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Resolves when every shadow run started so far has ended and been stored (at shutdown, and in tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async runOne(record: DecisionRecord, identifiers: ProtectedIdentifiers, challenger: Challenger, ruleSet: RuleSet, decidedAt: number): Promise<void> {
    // After the champion's answer has gone: the challenger's work starts on a later turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const started = this.now();
    let decided: DecidedAgain | undefined;
    let status: ShadowRow['status'];
    try {
      const raced = await Promise.race([this.decide(record, identifiers, challenger, ruleSet), this.after(challenger.flow.budgetMs).then((): typeof TIMED_OUT => TIMED_OUT)]);
      if (raced === TIMED_OUT) status = 'timed_out';
      else {
        decided = raced;
        status = 'decided';
      }
    } catch {
      status = 'failed';
    }
    const elapsedMs = roundTo(this.now() - started, 3);
    const result: ShadowResult = status === 'decided' ? (decided?.outcome === record.outcome ? 'agree' : 'disagree') : status;
    this.deps.onResult?.(record.product, result, elapsedMs);
    await this.deps.write({
      decisionId: record.decisionId,
      product: record.product,
      region: record.region,
      decidedAt,
      championOutcome: record.outcome,
      challengerVersion: challenger.version,
      status,
      challengerOutcome: decided?.outcome ?? null,
      challengerReasons: decided ? JSON.stringify(decided.reasons.map((r) => r.code)) : null,
      challengerApprovalLevel: decided?.approvalLevel ?? null,
      elapsedMs,
    });
  }
}

/** Champion → challenger outcome counts for one product, as GET /shadow/report shows them. */
export interface ShadowReport {
  readonly product: string;
  readonly from: string | null;
  readonly to: string | null;
  /** Decisions with a shadow row in the period. */
  readonly decisions: number;
  readonly decided: number;
  readonly failed: number;
  readonly timedOut: number;
  /** Share of decided shadow runs whose outcome is the champion's; null when none decided. */
  readonly agreement: number | null;
  readonly disagreements: number;
  /** "approve->review": count, agreements included ("approve->approve"). */
  readonly transitions: Readonly<Record<string, number>>;
  readonly regions: readonly { readonly region: string; readonly decisions: number; readonly agreement: number | null; readonly transitions: Readonly<Record<string, number>> }[];
  readonly challengerMs: { readonly mean: number | null; readonly max: number | null };
}

const share = (part: number, whole: number) => (whole > 0 ? roundTo(part / whole, 4) : null);

/** The report from the store's totals by region, champion outcome, challenger outcome and status. */
export function shadowReportOf(product: string, period: { from: string | null; to: string | null }, totals: readonly ShadowTotal[]): ShadowReport {
  const transitions: Record<string, number> = {};
  const regions = new Map<string, { decisions: number; decided: number; agreed: number; transitions: Record<string, number> }>();
  let decisions = 0;
  let decided = 0;
  let agreed = 0;
  let failed = 0;
  let timedOut = 0;
  let msSum = 0;
  let msMax: number | null = null;
  for (const t of totals) {
    decisions += t.decisions;
    msSum += t.elapsedMsSum;
    msMax = Math.max(msMax ?? 0, t.elapsedMsMax);
    const region = regions.get(t.region) ?? { decisions: 0, decided: 0, agreed: 0, transitions: {} };
    region.decisions += t.decisions;
    regions.set(t.region, region);
    if (t.status === 'failed') failed += t.decisions;
    if (t.status === 'timed_out') timedOut += t.decisions;
    if (t.status !== 'decided' || t.challenger === null) continue;
    const key = `${t.champion}->${t.challenger as Outcome}`;
    transitions[key] = (transitions[key] ?? 0) + t.decisions;
    region.transitions[key] = (region.transitions[key] ?? 0) + t.decisions;
    decided += t.decisions;
    region.decided += t.decisions;
    if (t.champion === t.challenger) {
      agreed += t.decisions;
      region.agreed += t.decisions;
    }
  }
  return {
    product,
    ...period,
    decisions,
    decided,
    failed,
    timedOut,
    agreement: share(agreed, decided),
    disagreements: decided - agreed,
    transitions,
    regions: [...regions]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([region, r]) => ({ region, decisions: r.decisions, agreement: share(r.agreed, r.decided), transitions: r.transitions })),
    challengerMs: { mean: decisions > 0 ? roundTo(msSum / decisions, 3) : null, max: msMax },
  };
}

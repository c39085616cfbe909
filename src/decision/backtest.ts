// What a candidate rule set would have done to stored decisions: each record's inputs (the
// request and what the providers computed then) decided again by the candidate, against what was
// decided, per product and region: the outcome transitions, approval rates, reasons that appear or
// vanish, approval levels, the approved book's amount and expected loss (Σ PD × amount lent), its
// bad rate where loan outcomes are known, and exposure by region against the candidate's limits.
// NOTE: provider facts are taken as stored (the model's score, velocity, the graph's view, and the
// offer the scoring stage priced from the tables then): a candidate's rules and thresholds are
// what a backtest measures, not a change of model or of pricing tables.
import type { ProtectedIdentifiers } from '../identity/identifiers';
import { effectiveLimit, REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import { factOf, lendingAmount } from '../rules/facts';
import type { RuleSet } from '../rules/ruleset';
import { roundTo } from '../common/round';
import { documentOf, type DecisionRecord } from './record';
import { decideAgain } from './replay';

/** How a loan turned out, where the lender reported it (src/decision/outcomes.ts). */
export type KnownOutcome = 'good' | 'bad' | undefined;

/** A reported loan status as a backtest counts it: repaid is good; defaulted, fraud and written off are bad. */
export const knownOutcomeOf = (status: string | null | undefined): KnownOutcome => (status ? (status === 'repaid' ? 'good' : 'bad') : undefined);

export interface SideCounts {
  approved: number;
  approvedAmount: number;
  expectedLoss: number;
  known: number;
  bad: number;
  levels: Record<string, number>;
}

export interface GroupCounts {
  decisions: number;
  transitions: Record<string, number>;
  before: SideCounts;
  after: SideCounts;
  appearing: Record<string, number>;
  vanishing: Record<string, number>;
}

export interface BacktestSide {
  readonly approvalRate: number;
  readonly approvedAmount: number;
  readonly expectedLoss: number;
  /** Bad rate of the approved book among loans whose outcome is known; null when none is. */
  readonly badRate: number | null;
  readonly outcomesKnown: number;
  readonly approvalLevels: Readonly<Record<string, number>>;
}

export interface BacktestGroup {
  readonly product: string;
  readonly region: string;
  readonly decisions: number;
  /** "approve->review": count; unchanged outcomes too ("approve->approve"). */
  readonly transitions: Readonly<Record<string, number>>;
  readonly changed: number;
  readonly before: BacktestSide;
  readonly after: BacktestSide;
  /** Reason codes the candidate gives that the decision did not, with how many decisions. */
  readonly reasonsAppearing: Readonly<Record<string, number>>;
  readonly reasonsVanishing: Readonly<Record<string, number>>;
}

export interface BacktestReport {
  readonly candidate: string;
  readonly decisions: number;
  readonly changed: number;
  readonly groups: readonly BacktestGroup[];
  /** The approved book's amount per region against the candidate's limit. */
  readonly exposure: readonly { readonly region: string; readonly limit: number; readonly before: number; readonly after: number }[];
  /** Decisions that could not be backtested: imported history and decisions stored whole. */
  readonly skipped: number;
}

const side = (): SideCounts => ({ approved: 0, approvedAmount: 0, expectedLoss: 0, known: 0, bad: 0, levels: {} });
const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

/**
 * What a backtest has counted so far, as plain data: threads that each backtest a share of the
 * history send theirs to be merged (mergeTallies) into one report (reportOf).
 */
export interface BacktestTally {
  readonly groups: readonly (readonly [string, GroupCounts])[];
  readonly skipped: number;
  readonly changedSample: readonly string[];
}

/** The candidate as a report names it: its version and the regional limits it would set. */
export interface BacktestCandidate {
  readonly version: string;
  readonly regions: RegionsTable | undefined;
}

export const candidateOf = (ruleSet: RuleSet): BacktestCandidate => ({ version: ruleSet.version, regions: ruleSet.tables.get(REGIONS_TABLE) as RegionsTable | undefined });

/** Accumulates decisions as they are backtested; tally() or report() at the end. Memory is per product × region, not per decision. */
export class Backtest {
  private readonly groups = new Map<string, GroupCounts>();
  private skippedCount = 0;
  private readonly changedIds: string[] = [];

  constructor(
    private readonly candidate: RuleSet,
    /** Decisions named in the report that changed, at most this many (a sample to look at). */
    private readonly sampleSize = DEFAULT_SAMPLE,
  ) {}

  skipped(): void {
    this.skippedCount++;
  }

  /** Decides one record again with the candidate and counts both sides. */
  async add(record: DecisionRecord, identifiers: ProtectedIdentifiers, outcome: KnownOutcome): Promise<void> {
    const key = `${record.product}\u0000${record.region}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { decisions: 0, transitions: {}, before: side(), after: side(), appearing: {}, vanishing: {} }));
    const flow = this.candidate.flows.get(record.product);
    // A product the candidate has no flow for declines nothing and approves nothing: it is refused.
    const again = flow ? (await decideAgain(record, identifiers, flow, this.candidate, { commitTimeExposure: false })).decision : undefined;
    g.decisions++;
    const to = again?.outcome ?? 'no_flow';
    bump(g.transitions, `${record.outcome}->${to}`);
    if (record.outcome !== to && this.changedIds.length < this.sampleSize) this.changedIds.push(record.decisionId);
    // The stored side's facts are rebuilt only for an approval, the one outcome whose amount counts.
    count(g.before, record.outcome, record.approvalLevel, () => documentOf(record, identifiers).facts, outcome);
    if (again) count(g.after, again.outcome, again.approvalLevel, () => again.facts, outcome);
    const was = new Set(record.reasons.map((r) => r.code));
    const now = new Set((again?.reasons ?? []).map((r) => r.code));
    for (const c of now) if (!was.has(c)) bump(g.appearing, c);
    for (const c of was) if (!now.has(c)) bump(g.vanishing, c);
  }

  /** Some of the decisions that changed, to look at (GET /decisions/:id, POST …/replay). */
  get changedSample(): readonly string[] {
    return this.changedIds;
  }

  tally(): BacktestTally {
    return { groups: [...this.groups], skipped: this.skippedCount, changedSample: this.changedIds };
  }

  report(): BacktestReport {
    return reportOf(this.tally(), candidateOf(this.candidate));
  }
}

const DEFAULT_SAMPLE = 20;

const addCounts = (into: Record<string, number>, from: Readonly<Record<string, number>>) => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
};

/** Several shares' tallies as one (the order of shares does not change the counts). */
export function mergeTallies(tallies: readonly BacktestTally[], sampleSize = DEFAULT_SAMPLE): BacktestTally {
  const groups = new Map<string, GroupCounts>();
  for (const t of tallies) {
    for (const [key, g] of t.groups) {
      const into = groups.get(key) ?? { decisions: 0, transitions: {}, before: side(), after: side(), appearing: {}, vanishing: {} };
      into.decisions += g.decisions;
      addCounts(into.transitions, g.transitions);
      addCounts(into.appearing, g.appearing);
      addCounts(into.vanishing, g.vanishing);
      for (const s of ['before', 'after'] as const) {
        const a = into[s];
        const b = g[s];
        a.approved += b.approved;
        a.approvedAmount += b.approvedAmount;
        a.expectedLoss += b.expectedLoss;
        a.known += b.known;
        a.bad += b.bad;
        addCounts(a.levels, b.levels);
      }
      groups.set(key, into);
    }
  }
  return {
    groups: [...groups],
    skipped: tallies.reduce((n, t) => n + t.skipped, 0),
    changedSample: tallies.flatMap((t) => t.changedSample).sort().slice(0, sampleSize),
  };
}

/** The report of a tally: per product and region, and exposure by region against the candidate's limits. */
export function reportOf(tally: BacktestTally, candidate: BacktestCandidate): BacktestReport {
  const groups = [...tally.groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, g]): BacktestGroup => {
    const [product, region] = key.split('\u0000') as [string, string];
    const changed = Object.entries(g.transitions).reduce((n, [t, c]) => (t.split('->')[0] === t.split('->')[1] ? n : n + c), 0);
    return { product, region, decisions: g.decisions, transitions: g.transitions, changed, before: summary(g.before, g.decisions), after: summary(g.after, g.decisions), reasonsAppearing: g.appearing, reasonsVanishing: g.vanishing };
  });
  const byRegion = new Map<string, { before: number; after: number; afterLoss: number; afterApproved: number }>();
  for (const [key, g] of tally.groups) {
    const region = key.split('\u0000')[1] as string;
    const r = byRegion.get(region) ?? { before: 0, after: 0, afterLoss: 0, afterApproved: 0 };
    r.before += g.before.approvedAmount;
    r.after += g.after.approvedAmount;
    r.afterLoss += g.after.expectedLoss;
    r.afterApproved += g.after.approved;
    byRegion.set(region, r);
  }
  const regions = candidate.regions;
  return {
    candidate: candidate.version,
    decisions: groups.reduce((n, g) => n + g.decisions, 0),
    changed: groups.reduce((n, g) => n + g.changed, 0),
    groups,
    exposure: [...byRegion].sort(([a], [b]) => (a < b ? -1 : 1)).map(([region, r]) => ({
      region,
      // A limit computed from the book's risk (docs: regional limits) is computed on the candidate's book.
      limit: regions ? effectiveLimit(region, '', regions, { reserved: r.after, byProduct: {}, pdWeighted: r.afterLoss, pdAmount: r.after, approvals: r.afterApproved }).limit : Number.NaN,
      before: roundTo(r.before, 2),
      after: roundTo(r.after, 2),
    })),
    skipped: tally.skipped,
  };
}

function count(s: SideCounts, outcome: string, level: string, factsOf: () => Parameters<typeof lendingAmount>[0], known: KnownOutcome): void {
  bump(s.levels, level);
  if (outcome !== 'approve') return;
  s.approved++;
  const facts = factsOf();
  const amount = lendingAmount(facts);
  s.approvedAmount += amount;
  s.expectedLoss += (factOf(facts, 'score')?.pd ?? 0) * amount;
  if (known) {
    s.known++;
    if (known === 'bad') s.bad++;
  }
}

function summary(s: SideCounts, decisions: number): BacktestSide {
  return {
    approvalRate: decisions > 0 ? roundTo(s.approved / decisions, 4) : 0,
    approvedAmount: roundTo(s.approvedAmount, 2),
    expectedLoss: roundTo(s.expectedLoss, 2),
    badRate: s.known > 0 ? roundTo(s.bad / s.known, 4) : null,
    outcomesKnown: s.known,
    approvalLevels: s.levels,
  };
}

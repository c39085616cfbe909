// A stored decision decided again, as a regulator asks: its record's inputs (the validated
// request and what each stage's providers computed then: the model's score, velocity, the graph's
// view, exposure) run through the rule set it was made with, settled as the service settles a
// decision, and compared with what was answered and stored.
import type { ProtectedIdentifiers } from '../identity/identifiers';
import { factOf } from '../rules/facts';
import type { ApprovalLevel } from '../approval/authority';
import type { Facts, Flow, Outcome, Reason, RuleSet } from '../rules/ruleset';
import type { FlowResult } from './flow';
import type { DecisionRecord } from './record';
import { documentOf, rerunFlow } from './record';
import { settleExposure, settleFlow } from './settle';

/** One thing the replay decided otherwise; `stage` for fired rules. */
export interface ReplayDifference {
  readonly field: 'outcome' | 'reasons' | 'offer' | 'approvalLevel' | 'firedRules';
  readonly stage?: string;
  readonly stored: unknown;
  readonly replayed: unknown;
}

export interface ReplayReport {
  readonly decisionId: string;
  readonly ruleSetVersion: string;
  readonly reproduced: boolean;
  readonly differences: readonly ReplayDifference[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface DecidedAgain {
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  readonly facts: Facts;
  readonly approvalLevel: ApprovalLevel;
}

/**
 * The record's inputs through `flow` of `ruleSet`, settled as the service settles a decision. With
 * `commitTimeExposure`, the exposure check made at commit (stored where it changed the decision)
 * applies again, as it did then; a backtest leaves it out and compares exposure with limits itself.
 */
export async function decideAgain(
  record: DecisionRecord,
  identifiers: ProtectedIdentifiers,
  flow: Flow,
  ruleSet: RuleSet,
  options: { readonly commitTimeExposure: boolean },
): Promise<{ decision: DecidedAgain; ran: FlowResult }> {
  const ran = await rerunFlow(record, identifiers, flow, ruleSet);
  const settled = settleFlow(ran, flow, ruleSet);
  let decision: DecidedAgain = { outcome: settled.result.outcome, reasons: settled.result.reasons, facts: settled.result.facts, approvalLevel: settled.approvalLevel };
  const check = options.commitTimeExposure ? factOf(record.settled ?? {}, 'exposure') : undefined;
  if (check && decision.outcome === 'approve') decision = settleExposure(decision, check, flow, ruleSet);
  return { decision, ran };
}

/**
 * Decides the record again with `ruleSet` (which must be the version it names, or a candidate
 * being compared with it) and reports every difference from what was stored. Reasons compare by
 * code and stage, in order (their messages are the rule set's wording, not the decision).
 */
export async function replayDecision(record: DecisionRecord, identifiers: ProtectedIdentifiers, ruleSet: RuleSet): Promise<ReplayReport> {
  const flow = ruleSet.flows.get(record.product);
  if (!flow) {
    return { decisionId: record.decisionId, ruleSetVersion: record.versions.rules, reproduced: false, differences: [{ field: 'outcome', stored: record.outcome, replayed: `no flow for ${record.product}` }] };
  }
  const { decision, ran } = await decideAgain(record, identifiers, flow, ruleSet, { commitTimeExposure: true });

  const differences: ReplayDifference[] = [];
  const compare = (field: ReplayDifference['field'], stored: unknown, replayed: unknown) => {
    if (!same(stored, replayed)) differences.push({ field, stored, replayed });
  };
  compare('outcome', record.outcome, decision.outcome);
  const codes = (reasons: readonly { code: string; stage: string }[]) => reasons.map((r) => `${r.stage}:${r.code}`);
  compare('reasons', codes(record.reasons), codes(decision.reasons));
  compare('approvalLevel', record.approvalLevel, decision.approvalLevel);
  compare('offer', documentOf(record, identifiers).offer, factOf(decision.facts, 'offer') ?? null);
  for (const stored of record.stages) {
    const again = ran.stages.find((s) => s.stage === stored.stage);
    if (stored.status !== 'completed' || !again) continue;
    const fired = again.rules.filter((r) => r.fired).map((r) => r.rule);
    if (!same(stored.fired ?? [], fired)) differences.push({ field: 'firedRules', stage: stored.stage, stored: stored.fired ?? [], replayed: fired });
  }
  return { decisionId: record.decisionId, ruleSetVersion: record.versions.rules, reproduced: differences.length === 0, differences };
}

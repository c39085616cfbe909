// What follows a product's flow, as the service decides and as a replay decides again: the
// adverse-action reasons, the exposure policy on the limits stage's snapshot, the approval level;
// and at commit, the exposure check that replaces that snapshot.
import { approvalLevelFor, type ApprovalLevel } from '../approval/authority';
import { applyExposurePolicy, type ExposureVerdict } from '../limits/policy';
import { factOf } from '../rules/facts';
import type { Facts, Flow, Outcome, Reason, ReasonSpec, RuleSet } from '../rules/ruleset';
import type { FlowResult } from './flow';
import { authorityFor } from './stages/approval';

/**
 * A decision other than approve carries the model's top adverse factors as reasons too: the
 * plain-language reasons a lender must be able to give an applicant it does not approve.
 */
export function withAdverseActionReasons(result: FlowResult, reasons: ReadonlyMap<string, ReasonSpec>): FlowResult {
  const score = factOf(result.facts, 'score');
  if (result.outcome === 'approve' || !score) return result;
  const given = new Set(result.reasons.map((r) => r.code));
  const added: Reason[] = score.adverseFactors
    .filter((f) => !given.has(f.code))
    .map((f) => ({ code: f.code, stage: 'scoring', message: reasons.get(f.code)?.message ?? f.code }));
  return { ...result, reasons: [...result.reasons, ...added] };
}

/** The approval level the decision needs as it stands, from the authority matrix and all its reasons. */
export function approvalLevelOf(outcome: Outcome, reasons: readonly Reason[], facts: Facts, tables: ReadonlyMap<string, unknown>): ApprovalLevel {
  return approvalLevelFor(outcome, authorityFor(facts, reasons.map((r) => r.code), tables).level);
}

/** The flow's result settled: adverse-action reasons, then the exposure policy on the limits stage's snapshot, then the approval level. */
export function settleFlow(ran: FlowResult, flow: Flow, ruleSet: RuleSet): { result: FlowResult; approvalLevel: ApprovalLevel } {
  let result = withAdverseActionReasons(ran, ruleSet.reasons);
  const exposure = factOf(result.facts, 'exposure');
  if (exposure) result = { ...result, ...applyExposurePolicy(result, exposure, flow.exposurePolicy, ruleSet.reasons) };
  return { result, approvalLevel: approvalLevelOf(result.outcome, result.reasons, result.facts, ruleSet.tables) };
}

/** An approval settled by the commit-time exposure check, whose verdict replaces the limits stage's snapshot in the facts. */
export function settleExposure(
  decision: { readonly outcome: Outcome; readonly reasons: readonly Reason[]; readonly facts: Facts },
  check: ExposureVerdict,
  flow: Flow,
  ruleSet: RuleSet,
): { outcome: Outcome; reasons: Reason[]; approvalLevel: ApprovalLevel; facts: Facts } {
  const settled = applyExposurePolicy(decision, check, flow.exposurePolicy, ruleSet.reasons);
  return { ...settled, approvalLevel: approvalLevelOf(settled.outcome, settled.reasons, decision.facts, ruleSet.tables), facts: { ...decision.facts, exposure: check } };
}

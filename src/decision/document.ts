// A decision as the service answers and explains it: the response, and the document behind it
// (inputs with identifiers protected, facts, each stage's rule results), and the facts every
// flow starts from.
import type { IdentifierType, ProtectedIdentifiers } from '../identity/identifiers';
import { factOf, type StageFacts } from '../rules/facts';
import type { Facts, Outcome, Reason } from '../rules/ruleset';
import type { ScoreFacts, Offer } from '../scoring/scorecard';
import type { ApprovalLevel } from '../approval/authority';
import type { Application } from './application';
import type { StageTrace } from './flow';

export interface DecisionResponse {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  /** The credit model's view; null when the model did not score (see reasons). */
  readonly score: ScoreFacts | null;
  readonly offer: Offer | null;
  /** Who must sign: auto for an automatic approve or decline; for a review, the level required. */
  readonly approvalLevel: ApprovalLevel;
  readonly versions: { readonly rules: string; readonly model: string | null };
  readonly timings: { readonly totalMs: number; readonly stages: Readonly<Record<string, number>> };
  readonly decidedAt: string;
  /** The fraud graph's view, from the fraud stage's `fraud` facts; absent when that stage did not complete. */
  readonly fraud?: FraudSummary;
}

/** The community an application links into (docs/fraud-graph.md); clusterId null when none. */
export interface FraudSummary {
  readonly clusterId: string | null;
  readonly suspicious: boolean;
  readonly score: number;
  readonly flags: readonly string[];
}

/** The response's `fraud` summary from the fraud stage's facts; nothing when that stage did not complete. */
export function withFraud(facts: Facts): { fraud?: FraudSummary } {
  const f = factOf(facts, 'fraud');
  return f ? { fraud: { clusterId: f.clusterId, suspicious: f.clusterSuspicious, score: f.clusterScore, flags: f.clusterFlags } } : {};
}

/** A decision with what explains it: inputs (identifiers protected), facts, rule results. */
export interface DecisionDocument extends DecisionResponse {
  readonly product: string;
  readonly region: string;
  readonly request: Omit<Application, 'identifiers'> & { readonly identifiers: ProtectedIdentifiers };
  readonly facts: Facts;
  readonly stages: readonly StageTrace[];
}

/** The facts every flow starts from (see FACT_CATALOG). */
export function baseFacts(application: Application, identifiers: ProtectedIdentifiers): StageFacts {
  const hashes: Partial<Record<IdentifierType, string>> = {};
  const validity: Partial<Record<IdentifierType, boolean>> = {};
  let validCount = 0;
  for (const [type, id] of Object.entries(identifiers)) {
    hashes[type as IdentifierType] = id.hash;
    validity[type as IdentifierType] = id.valid;
    if (id.valid) validCount++;
  }
  return {
    product: application.product,
    region: application.region,
    amount: application.amount,
    termMonths: application.termMonths,
    applicant: application.applicant,
    identifiers: hashes,
    identifierCount: Object.keys(hashes).length,
    identifierValidity: validity,
    validIdentifierCount: validCount,
  };
}


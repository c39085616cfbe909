// Decides one application end to end: idempotency, identifier protection, the product's flow,
// and the durable audit record, which is committed before the caller gets its answer.
import { canonicalJson } from '../identity/canonical-json';
import type { IdentifierProtector, IdentifierType, ProtectedIdentifiers } from '../identity/identifiers';
import type { Facts } from '../rules/evaluator';
import type { Outcome, ReasonSpec, RuleSet } from '../rules/ruleset';
import type { ScoreFacts } from '../scoring/provider';
import type { Offer } from '../scoring/scorecard';
import type { AuditStore, DecisionRow } from '../store/audit-store';
import type { Application } from './application';
import { IdempotencyConflictError, UnknownProductError } from './errors';
import { runFlow, type FlowResult, type Reason, type StageProviders, type StageTrace } from './flow';
import { newDecisionId } from './ids';

export interface DecisionResponse {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  /** The credit model's view; null when the model did not score (see reasons). */
  readonly score: ScoreFacts | null;
  readonly offer: Offer | null;
  readonly versions: { readonly rules: string; readonly model: string | null };
  readonly timings: { readonly totalMs: number; readonly stages: Readonly<Record<string, number>> };
  readonly decidedAt: string;
}

/** What the audit store keeps of a decision: inputs (identifiers protected), facts, rule results. */
export interface DecisionDocument extends DecisionResponse {
  readonly product: string;
  readonly region: string;
  readonly request: Omit<Application, 'identifiers'> & { readonly identifiers: ProtectedIdentifiers };
  readonly facts: Facts;
  readonly stages: readonly StageTrace[];
}

export interface DecisionObserver {
  onDecision?(document: DecisionDocument): void;
  onReplay?(document: DecisionDocument): void;
}

export interface DecisionServiceDeps {
  readonly store: AuditStore;
  readonly ruleSet: () => RuleSet;
  readonly protector: IdentifierProtector;
  readonly providers: StageProviders;
  /** Called after each commit, e.g. to feed the velocity index. */
  readonly onCommitted?: (row: DecisionRow, document: DecisionDocument) => void;
  readonly observer?: DecisionObserver;
  readonly clock?: () => number;
  /** The credit model's modelId@version, recorded in each decision; undefined without a model. */
  readonly modelVersion?: () => string | undefined;
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

export function responseOf(doc: DecisionDocument): DecisionResponse {
  const { decisionId, applicationId, outcome, reasons, score, offer, versions, timings, decidedAt } = doc;
  return { decisionId, applicationId, outcome, reasons, score, offer, versions, timings, decidedAt };
}

/**
 * A decision other than approve carries the model's top adverse factors as reasons too: the
 * plain-language reasons a lender must be able to give an applicant it does not approve.
 */
export function withAdverseActionReasons(result: FlowResult, reasons: ReadonlyMap<string, ReasonSpec>): FlowResult {
  const score = result.facts.score as ScoreFacts | undefined;
  if (result.outcome === 'approve' || !score) return result;
  const given = new Set(result.reasons.map((r) => r.code));
  const added: Reason[] = score.adverseFactors
    .filter((f) => !given.has(f.code))
    .map((f) => ({ code: f.code, stage: 'scoring', message: reasons.get(f.code)?.message ?? f.code }));
  return { ...result, reasons: [...result.reasons, ...added] };
}

/** The facts every flow starts from (see FACT_CATALOG). */
export function baseFacts(application: Application, identifiers: ProtectedIdentifiers): Facts {
  const hashes: Partial<Record<IdentifierType, string>> = {};
  for (const [type, id] of Object.entries(identifiers)) hashes[type as IdentifierType] = id.hash;
  return {
    product: application.product,
    region: application.region,
    amount: application.amount,
    termMonths: application.termMonths,
    applicant: application.applicant,
    identifiers: hashes,
    identifierCount: Object.keys(hashes).length,
  };
}

/** Runs the application's product flow without storing anything. */
export async function evaluateApplication(input: {
  readonly application: Application;
  readonly ruleSet: RuleSet;
  readonly protector: IdentifierProtector;
  readonly providers: StageProviders;
}) {
  const { application, ruleSet } = input;
  const flow = ruleSet.flows.get(application.product);
  if (!flow) throw new UnknownProductError(application.product, [...ruleSet.flows.keys()]);
  const identifiers = input.protector.protect(application.identifiers ?? {});
  const result = await runFlow({ flow, reasons: ruleSet.reasons, tables: ruleSet.tables, facts: baseFacts(application, identifiers), providers: input.providers });
  return { identifiers, result: withAdverseActionReasons(result, ruleSet.reasons) };
}

export class DecisionService {
  private readonly clock: () => number;

  constructor(private readonly deps: DecisionServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  async decide(application: Application): Promise<{ replayed: boolean; document: DecisionDocument }> {
    const fingerprint = this.deps.protector.fingerprint(canonicalJson(application));
    const prior = this.deps.store.findByApplicationId(application.applicationId);
    if (prior) return this.replay(prior, fingerprint);

    const ruleSet = this.deps.ruleSet();
    const { identifiers, result } = await evaluateApplication({ application, ruleSet, protector: this.deps.protector, providers: this.deps.providers });
    const decidedAt = this.clock();
    const { identifiers: _raw, ...request } = application;
    const document: DecisionDocument = {
      decisionId: newDecisionId(decidedAt),
      applicationId: application.applicationId,
      outcome: result.outcome,
      reasons: result.reasons,
      score: (result.facts.score as ScoreFacts | undefined) ?? null,
      offer: (result.facts.offer as Offer | undefined) ?? null,
      versions: { rules: ruleSet.version, model: this.deps.modelVersion?.() ?? null },
      timings: {
        totalMs: round3(result.totalMs),
        stages: Object.fromEntries(result.stages.map((s) => [s.stage, round3(s.durationMs)])),
      },
      decidedAt: new Date(decidedAt).toISOString(),
      product: application.product,
      region: application.region,
      request: { ...request, identifiers },
      facts: result.facts,
      stages: result.stages,
    };
    const row: DecisionRow = {
      decisionId: document.decisionId,
      applicationId: application.applicationId,
      requestFingerprint: fingerprint,
      product: application.product,
      region: application.region,
      outcome: document.outcome,
      rulesVersion: ruleSet.version,
      decidedAt,
      identifiers: Object.entries(identifiers).map(([type, id]) => ({ type, hash: id.hash, masked: id.masked })),
      document,
    };
    const appended = await this.deps.store.append(row);
    // A concurrent request with the same application id committed first: answer as a retry would.
    if (appended.status === 'exists') return this.replay(appended.existing, fingerprint);
    this.deps.onCommitted?.(row, document);
    this.deps.observer?.onDecision?.(document);
    return { replayed: false, document };
  }

  private replay(prior: DecisionRow, fingerprint: string): { replayed: boolean; document: DecisionDocument } {
    if (prior.requestFingerprint !== fingerprint) throw new IdempotencyConflictError(prior.applicationId, prior.decisionId);
    const document = prior.document as DecisionDocument;
    this.deps.observer?.onReplay?.(document);
    return { replayed: true, document };
  }

  getDecision(decisionId: string): DecisionDocument | undefined {
    return this.deps.store.getDecision(decisionId)?.document as DecisionDocument | undefined;
  }
}

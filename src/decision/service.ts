// Decides one application end to end: idempotency, identifier protection, the product's flow,
// and the durable audit record, which is committed before the caller gets its answer.
import { canonicalJson } from '../identity/canonical-json';
import { roundTo } from '../common/round';
import { OverloadedError, type Admission, type ShedReason, type Slot } from './admission';
import type { IdentifierProtector, IdentifierType, ProtectedIdentifiers } from '../identity/identifiers';
import { hasFraudEvidence } from '../rules/evidence';
import { factOf, lendingAmount, type StageFacts } from '../rules/facts';
import type { Facts, Flow, Outcome, Reason, ReasonSpec, RuleSet } from '../rules/ruleset';
import type { Offer, ScoreFacts } from '../scoring/scorecard';
import { approvalLevelFor, type ApprovalLevel } from '../approval/authority';
import type { ExposureBook } from '../limits/exposure-book';
import { applyExposurePolicy } from '../limits/policy';
import { isAcceptedRegion, REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import type { AuditStore, DecisionEvent, DecisionRow, DecisionStatus, Reservation, StoredDecision } from '../store/audit-store';
import type { Application } from './application';
import { IdempotencyConflictError, UnknownProductError, UnknownRegionError } from './errors';
import { runFlow, type FlowResult, type StageProviders, type StageTrace } from './flow';
import { authorityFor } from './stages/approval';
import { checkExposure, reserveExposure } from './reservations';
import { newDecisionId } from './ids';

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
function withFraud(facts: Facts): { fraud?: FraudSummary } {
  const f = factOf(facts, 'fraud');
  return f ? { fraud: { clusterId: f.clusterId, suspicious: f.clusterSuspicious, score: f.clusterScore, flags: f.clusterFlags } } : {};
}

/** What the audit store keeps of a decision: inputs (identifiers protected), facts, rule results. */
export interface DecisionDocument extends DecisionResponse {
  readonly product: string;
  readonly region: string;
  readonly request: Omit<Application, 'identifiers'> & { readonly identifiers: ProtectedIdentifiers };
  readonly facts: Facts;
  readonly stages: readonly StageTrace[];
}

/** A stored decision as GET /decisions/:id shows it: the automatic decision, then its history. */
export interface DecisionView extends DecisionDocument {
  readonly status: DecisionStatus;
  readonly currentOutcome: string;
  readonly history: readonly DecisionEvent[];
  readonly reservation: (Reservation & { readonly releasedAt: number | null }) | null;
  /** Who asked for the decision (null for decisions stored before access control). */
  readonly caller: string | null;
}

export interface DecisionObserver {
  onDecision?(document: DecisionDocument): void;
  onReplay?(document: DecisionDocument): void;
}

export interface DecisionServiceDeps {
  readonly store: AuditStore;
  readonly exposure: ExposureBook;
  readonly ruleSet: () => RuleSet;
  readonly protector: IdentifierProtector;
  readonly providers: StageProviders;
  /** Called after each commit, e.g. to feed the velocity index. */
  readonly onCommitted?: (row: DecisionRow, document: DecisionDocument) => void;
  readonly observer?: DecisionObserver;
  readonly clock?: () => number;
  /** The credit model's modelId@version, recorded in each decision; undefined without a model. */
  readonly modelVersion?: () => string | undefined;
  /** Slots, queue and load checks (src/decision/admission.ts); without it every decision is admitted. */
  readonly admission?: Admission;
  /** A request refused for load: nothing was decided or stored. */
  readonly onShed?: (reason: ShedReason) => void;
}

/** Stage fallbacks that mean "out of time" (as opposed to a provider's error). */
const BUDGET_CAUSES: ReadonlySet<string> = new Set(['timeout', 'decision_budget']);


export function responseOf(doc: DecisionDocument): DecisionResponse {
  const { decisionId, applicationId, outcome, reasons, score, offer, approvalLevel, versions, timings, decidedAt, fraud } = doc;
  return { decisionId, applicationId, outcome, reasons, score, offer, approvalLevel, versions, timings, decidedAt, ...(fraud ? { fraud } : {}) };
}

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

/** The approval level the decision needs as it stands, from the authority matrix and all its reasons. */
export function approvalLevelOf(outcome: Outcome, reasons: readonly Reason[], facts: Facts, tables: ReadonlyMap<string, unknown>): ApprovalLevel {
  return approvalLevelFor(outcome, authorityFor(facts, reasons.map((r) => r.code), tables).level);
}

export interface Evaluation {
  readonly flow: Flow;
  readonly identifiers: ProtectedIdentifiers;
  readonly result: FlowResult;
  readonly approvalLevel: ApprovalLevel;
}

/**
 * Runs the application's product flow without storing anything: the flow, then the adverse-
 * action reasons, then the exposure check on the limits stage's snapshot, then the approval level.
 */
export async function evaluateApplication(input: {
  readonly application: Application;
  readonly ruleSet: RuleSet;
  readonly protector: IdentifierProtector;
  readonly providers: StageProviders;
}): Promise<Evaluation> {
  const { application, ruleSet } = input;
  const flow = ruleSet.flows.get(application.product);
  if (!flow) throw new UnknownProductError(application.product, [...ruleSet.flows.keys()]);
  const regions = ruleSet.tables.get(REGIONS_TABLE) as RegionsTable;
  if (!isAcceptedRegion(application.region, regions)) throw new UnknownRegionError(application.region, Object.keys(regions.regions));
  const identifiers = input.protector.protect(application.identifiers ?? {});
  const ran = await runFlow({ flow, reasons: ruleSet.reasons, tables: ruleSet.tables, facts: baseFacts(application, identifiers), providers: input.providers });
  let result = withAdverseActionReasons(ran, ruleSet.reasons);
  const exposure = factOf(result.facts, 'exposure');
  if (exposure) result = { ...result, ...applyExposurePolicy(result, exposure, flow.exposurePolicy, ruleSet.reasons) };
  return { flow, identifiers, result, approvalLevel: approvalLevelOf(result.outcome, result.reasons, result.facts, ruleSet.tables) };
}

export class DecisionService {
  private readonly clock: () => number;

  constructor(private readonly deps: DecisionServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Decides for `caller` (the authenticated principal's id), or answers its own earlier decision of the same request. */
  async decide(application: Application, caller: string): Promise<{ replayed: boolean; document: DecisionDocument }> {
    const { store, exposure: book } = this.deps;
    const fingerprint = this.deps.protector.fingerprint(canonicalJson(application));
    const prior = store.findByApplicationId(application.applicationId);
    if (prior) return this.replay(prior, fingerprint, caller);

    const ruleSet = this.deps.ruleSet();
    const { flow, identifiers, result, approvalLevel } = await this.evaluateAdmitted({ application, ruleSet, protector: this.deps.protector, providers: this.deps.providers });
    const decidedAt = this.clock();
    const { identifiers: _raw, ...request } = application;
    const tentative: DecisionDocument = {
      decisionId: newDecisionId(decidedAt),
      applicationId: application.applicationId,
      outcome: result.outcome,
      reasons: result.reasons,
      score: factOf(result.facts, 'score') ?? null,
      offer: factOf(result.facts, 'offer') ?? null,
      approvalLevel,
      versions: { rules: ruleSet.version, model: this.deps.modelVersion?.() ?? null },
      timings: {
        totalMs: roundTo(result.totalMs, 3),
        stages: Object.fromEntries(result.stages.map((s) => [s.stage, roundTo(s.durationMs, 3)])),
      },
      decidedAt: new Date(decidedAt).toISOString(),
      ...withFraud(result.facts),
      product: application.product,
      region: application.region,
      request: { ...request, identifiers },
      facts: result.facts,
      stages: result.stages,
    };
    const regions = ruleSet.tables.get(REGIONS_TABLE) as RegionsTable;

    // One unit of work: the idempotency check, the authoritative exposure check and reservation,
    // and the decision record commit together, or not at all.
    const committed = await store.commit(
      () => {
        const existing = store.findByApplicationId(application.applicationId);
        if (existing) return { kind: 'exists' as const, existing };
        let document = tentative;
        const input =
          document.outcome === 'approve'
            ? { decisionId: document.decisionId, region: document.region, product: document.product, amount: lendingAmount(document.facts), pd: document.score?.pd ?? null }
            : undefined;
        if (input) {
          const check = checkExposure(book, regions, input);
          if (check.wouldExceed || check.nearLimit) {
            const settled = applyExposurePolicy(document, check, flow.exposurePolicy, ruleSet.reasons);
            document = { ...document, ...settled, approvalLevel: approvalLevelOf(settled.outcome, settled.reasons, document.facts, ruleSet.tables), facts: { ...document.facts, exposure: check } };
          }
        }
        const row = { ...rowOf(document, fingerprint, identifiers, ruleSet, decidedAt), caller };
        store.insertDecision(row, document.outcome === 'review' ? 'awaiting_review' : 'final');
        const reservation: Reservation | undefined = input && document.outcome === 'approve' ? reserveExposure(store, book, regions, input, decidedAt) : undefined;
        return { kind: 'inserted' as const, document, reservation, row };
      },
      (done) => {
        if (done.kind === 'inserted' && done.reservation) book.apply(done.reservation, -1);
      },
    );
    // A concurrent request with the same application id committed first: answer as a retry would.
    if (committed.kind === 'exists') return this.replay(committed.existing, fingerprint, caller);
    const { document, row } = committed;
    this.deps.onCommitted?.(row, document);
    this.deps.observer?.onDecision?.(document);
    return { replayed: false, document };
  }

  /**
   * Evaluates within a decision slot. A decision whose stage budget ran out while the service was
   * saturated is not an answer: nothing is stored and the caller is told to retry (OverloadedError).
   */
  private async evaluateAdmitted(input: Parameters<typeof evaluateApplication>[0]): ReturnType<typeof evaluateApplication> {
    const admission = this.deps.admission;
    if (!admission) return evaluateApplication(input);
    let slot: Slot;
    try {
      slot = await admission.acquire();
    } catch (err) {
      if (err instanceof OverloadedError) this.deps.onShed?.(err.reason);
      throw err;
    }
    try {
      const evaluated = await evaluateApplication(input);
      const outOfTime = evaluated.result.stages.find((s) => s.fallback && BUDGET_CAUSES.has(s.fallback.cause));
      if (outOfTime && admission.saturated()) {
        this.deps.onShed?.('budget_spent_under_load');
        throw new OverloadedError('budget_spent_under_load', `stage ${outOfTime.stage} ran out of its budget while the service was saturated; not stored`);
      }
      return evaluated;
    } finally {
      slot.release();
    }
  }

  /** Why a new decision would be refused right now (checked before its body is read). */
  refusal(): OverloadedError | undefined {
    const refused = this.deps.admission?.refusal();
    if (refused) this.deps.onShed?.(refused.reason);
    return refused;
  }

  /** A retry is answered only to the caller that asked first, and only for the same request. */
  private replay(prior: DecisionRow, fingerprint: string, caller: string): { replayed: boolean; document: DecisionDocument } {
    if (prior.requestFingerprint !== fingerprint || prior.caller !== caller) throw new IdempotencyConflictError(prior.applicationId, prior.decisionId);
    const document = prior.document as DecisionDocument;
    this.deps.observer?.onReplay?.(document);
    return { replayed: true, document };
  }

  getDecision(decisionId: string): DecisionView | undefined {
    const stored: StoredDecision | undefined = this.deps.store.getDecision(decisionId);
    if (!stored) return undefined;
    return {
      ...(stored.document as DecisionDocument),
      status: stored.status,
      currentOutcome: stored.currentOutcome,
      history: this.deps.store.events(decisionId),
      reservation: this.deps.store.reservation(decisionId) ?? null,
      caller: stored.caller ?? null,
    };
  }
}

function rowOf(document: DecisionDocument, fingerprint: string, identifiers: ProtectedIdentifiers, ruleSet: RuleSet, decidedAt: number): DecisionRow {
  return {
    source: 'decided',
    fraudEvidence: hasFraudEvidence(ruleSet, document.reasons.map((r) => r.code)),
    decisionId: document.decisionId,
    applicationId: document.applicationId,
    requestFingerprint: fingerprint,
    product: document.product,
    region: document.region,
    outcome: document.outcome,
    rulesVersion: ruleSet.version,
    decidedAt,
    identifiers: Object.entries(identifiers).map(([type, id]) => ({ type, hash: id.hash, masked: id.masked })),
    document,
  };
}

// Decides one application end to end: idempotency, identifier protection, the product's flow,
// and the durable audit record, which is committed before the caller gets its answer.
import { canonicalJson } from '../identity/canonical-json';
import { roundTo } from '../common/round';
import { OverloadedError, type Admission, type ShedReason, type Slot } from './admission';
import type { IdentifierProtector, IdentifierType, ProtectedIdentifiers } from '../identity/identifiers';
import { hasFraudEvidence } from '../rules/evidence';
import { factOf, lendingAmount } from '../rules/facts';
import type { Flow, Reason, RuleSet } from '../rules/ruleset';
import type { ApprovalLevel } from '../approval/authority';
import { isAcceptedRegion, REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import type { DecisionCommitter } from '../store/decision-commit';
import { PURGED_IDENTIFIER, type IdentifierPosition, type RetentionPosition, type AuditStore, type DecisionEvent, type DecisionRow, type DecisionStatus, type Reservation, type StoredDecision } from '../store/audit-store';
import type { Application } from './application';
import { ArchivedRuleSetMissingError, DecisionStateError, IdempotencyConflictError, UnknownProductError, UnknownRegionError } from './errors';
import { replayDecision, type ReplayReport } from './replay';
import { runFlow, type FlowResult, type StageProviders } from './flow';
import type { ShadowRunner } from './shadow';
import { settleExposure, settleFlow } from './settle';
import { checkExposure, reservationOf } from './reservations';
import { newDecisionId } from './ids';
import { baseFacts, withFraud, type DecisionDocument, type DecisionResponse } from './document';
import { documentOf, isDecisionRecord, protectedIdentifiersOf, recordOf, replayTraces, storedDocumentOf, type DecisionRecord, type TraceReplay } from './record';


/** A stored decision as GET /decisions/:id shows it: the automatic decision, then its history. */
export interface DecisionView extends DecisionDocument {
  readonly status: DecisionStatus;
  readonly currentOutcome: string;
  readonly history: readonly DecisionEvent[];
  readonly reservation: (Reservation & { readonly releasedAt: number | null }) | null;
  /** Who asked for the decision (null for decisions stored before access control). */
  readonly caller: string | null;
  /** How its rules' condition results were regained (absent for decisions stored whole, before lean records). */
  readonly traces?: TraceReplay;
  /** What the product's challenger flow decided beside it (absent without a challenger then). */
  readonly shadow?: ShadowView;
}

export interface ShadowView {
  readonly challengerVersion: string;
  readonly status: 'decided' | 'failed' | 'timed_out';
  readonly outcome: string | null;
  readonly reasons: readonly string[];
  readonly approvalLevel: string | null;
  readonly elapsedMs: number;
}

export interface DecisionObserver {
  onDecision?(document: DecisionDocument): void;
  onReplay?(document: DecisionDocument): void;
}

export interface DecisionServiceDeps {
  readonly store: AuditStore;
  /** Commits new decisions: the embedded store's, or the replicas' shared one (src/store/decision-commit.ts). */
  readonly committer: DecisionCommitter;
  readonly ruleSet: () => RuleSet;
  readonly protector: IdentifierProtector;
  readonly providers: StageProviders;
  /** Called after each commit, e.g. to feed the velocity index. */
  readonly onCommitted?: (row: DecisionRow, document: DecisionDocument) => void;
  readonly observer?: DecisionObserver;
  readonly clock?: () => number;
  /** The credit model's modelId@version, recorded in each decision; undefined without a model. */
  readonly modelVersion?: () => string | undefined;
  /** Archives the rule set a decision was made with; resolves once it is (the decision commits after it). */
  readonly archiveRuleSet?: (ruleSet: RuleSet) => Promise<void>;
  /** The rule set of a version: the one serving, or an archived one (to replay a stored decision's rule traces). */
  readonly ruleSetOfVersion?: (version: string) => Promise<RuleSet | undefined>;
  /** Slots, queue and load checks (src/decision/admission.ts); without it every decision is admitted. */
  readonly admission?: Admission;
  /** A request refused for load: nothing was decided or stored. */
  readonly onShed?: (reason: ShedReason) => void;
  /** Runs a product's challenger flow on each committed decision, after the answer (shadow mode). */
  readonly shadow?: ShadowRunner;
}

/** Stage fallbacks that mean "out of time" (as opposed to a provider's error). */
const BUDGET_CAUSES: ReadonlySet<string> = new Set(['timeout', 'decision_budget']);


export function responseOf(doc: DecisionDocument): DecisionResponse {
  const { decisionId, applicationId, outcome, reasons, score, offer, approvalLevel, versions, timings, decidedAt, fraud } = doc;
  return { decisionId, applicationId, outcome, reasons, score, offer, approvalLevel, versions, timings, decidedAt, ...(fraud ? { fraud } : {}) };
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
  return { flow, identifiers, ...settleFlow(ran, flow, ruleSet) };
}

export class DecisionService {
  private readonly clock: () => number;

  constructor(private readonly deps: DecisionServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Decides for `caller` (the authenticated principal's id), or answers its own earlier decision of the same request. */
  async decide(application: Application, caller: string): Promise<{ replayed: boolean; document: DecisionDocument }> {
    const fingerprint = this.deps.protector.fingerprint(canonicalJson(application));
    const prior = await this.deps.committer.findByApplicationId(application.applicationId);
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
    // No decision is stored without the rules it was made with in the archive (the first decision of a version waits for it).
    await this.deps.archiveRuleSet?.(ruleSet);

    // The committer reads the region's committed exposure exclusively (the event loop's single
    // step on one instance, the region's row lock across replicas), settles the decision against
    // it and commits; an application decided meanwhile, here or on another replica, is answered
    // as a retry would be.
    const input =
      tentative.outcome === 'approve'
        ? { decisionId: tentative.decisionId, region: tentative.region, product: tentative.product, amount: lendingAmount(tentative.facts), pd: tentative.score?.pd ?? null }
        : undefined;
    const committed = await this.deps.committer.commit({
      applicationId: application.applicationId,
      ...(input ? { exposureRegion: input.region } : {}),
      plan: (exposure) => {
        let document = tentative;
        if (input) {
          const check = checkExposure(exposure, regions, input);
          if (check.wouldExceed || check.nearLimit) document = { ...document, ...settleExposure(document, check, flow, ruleSet) };
        }
        const row = { ...rowOf(document, fingerprint, identifiers, ruleSet, decidedAt), caller, approvalLevel: document.approvalLevel };
        const reservation = input && document.outcome === 'approve' ? reservationOf(regions, input, decidedAt) : undefined;
        const status: DecisionStatus = document.outcome === 'review' ? 'awaiting_review' : 'final';
        return { row, status, ...(reservation ? { reservation } : {}), clusterId: factOf(document.facts, 'fraud')?.clusterId ?? null, document };
      },
    });
    if (!committed.stored) return this.replay(committed.existing, fingerprint, caller);
    const { row, document } = committed.plan;
    this.deps.onCommitted?.(row, document);
    this.deps.observer?.onDecision?.(document);
    this.deps.shadow?.start(row.document as DecisionRecord, identifiers, ruleSet, decidedAt);
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
    const document = storedDocumentOf(prior.document);
    this.deps.observer?.onReplay?.(document);
    return { replayed: true, document };
  }

  /**
   * A stored decision as GET /decisions/:id shows it. A lean record's rule traces are regained by
   * replaying it against the rule set it was made with (`traces` false: without them, cheaper).
   */
  async getDecision(decisionId: string, options: { traces?: boolean } = {}): Promise<DecisionView | undefined> {
    const { store } = this.deps;
    const stored: StoredDecision | undefined = store.getDecision(decisionId);
    if (!stored) return undefined;
    let document: DecisionDocument;
    let traces: TraceReplay | undefined;
    if (isDecisionRecord(stored.document)) {
      document = documentOf(stored.document, protectedIdentifiersOf(stored.document, store.identifierHashes(stored.applicationId), PURGED_IDENTIFIER));
      if (options.traces !== false) ({ document, traces } = await this.withTraces(stored.document, document));
    } else document = stored.document as DecisionDocument;
    return {
      ...document,
      status: stored.status,
      currentOutcome: stored.currentOutcome,
      history: store.events(decisionId),
      reservation: store.reservation(decisionId) ?? null,
      caller: stored.caller ?? null,
      ...(traces ? { traces } : {}),
      ...shadowOf(store, decisionId),
    };
  }

  /**
   * A page of the review queue (decisions awaiting review), oldest first unless asked otherwise,
   * each with the reasons that sent it to review; `caller` keeps an origination system to its own.
   */
  reviewQueue(query: ReviewQueueQuery): { decisions: QueuedDecision[]; next: RetentionPosition | undefined } {
    const { decisions, next } = this.deps.store.awaitingReview(query.filter, query.order, query.after, query.limit);
    return { decisions: decisions.map(queued), next };
  }

  /** The decision of an application, as the queue lists it, if there is one. */
  decisionOfApplication(applicationId: string): ListedDecision | undefined {
    const stored = this.deps.store.findByApplicationId(applicationId);
    return stored && listed(stored);
  }

  /**
   * A page of the decisions of applications that carried this identifier, newest first, listed as
   * decisionOfApplication lists one; `caller` keeps an origination system to its own. The raw value
   * is hashed as a decision's identifiers are (so every spelling of it matches) and goes no further.
   * Undefined when it is no identifier of its type (empty, or a placeholder): none is ever stored.
   */
  decisionsWithIdentifier(type: IdentifierType, raw: string, query: IdentifierSearch): { decisions: ListedDecision[]; next: IdentifierPosition | undefined } | undefined {
    const carried = this.deps.protector.protect({ [type]: raw })[type];
    if (!carried) return undefined;
    const { decisions, next } = this.deps.store.decisionsWithIdentifier(type, carried.hash, query.caller === undefined ? {} : { caller: query.caller }, query.after, query.limit);
    return { decisions: decisions.map(listed), next };
  }

  /**
   * The stored decision decided again from its record against the rule set it was made with
   * (src/decision/replay.ts); undefined when there is no such decision. Nothing is written.
   */
  async replayStored(decisionId: string): Promise<ReplayReport | undefined> {
    const { store } = this.deps;
    const stored = store.getDecision(decisionId);
    if (!stored) return undefined;
    if (!isDecisionRecord(stored.document)) throw new DecisionStateError(`decision ${decisionId} was stored whole, before lean records (or imported): it holds no record to replay`);
    const record = stored.document;
    const ruleSet = await this.deps.ruleSetOfVersion?.(record.versions.rules);
    if (!ruleSet) throw new ArchivedRuleSetMissingError(record.versions.rules);
    return replayDecision(record, protectedIdentifiersOf(record, store.identifierHashes(stored.applicationId), PURGED_IDENTIFIER), ruleSet);
  }

  private async withTraces(record: DecisionRecord, document: DecisionDocument): Promise<{ document: DecisionDocument; traces: TraceReplay }> {
    const version = record.versions.rules;
    const ruleSet = await this.deps.ruleSetOfVersion?.(version);
    if (!ruleSet) return { document, traces: { status: 'unavailable', detail: `rule set ${version} is not in the archive` } };
    const replayed = await replayTraces(record, document, ruleSet);
    return { document: replayed.document, traces: replayed.replay };
  }
}

export interface ReviewQueueQuery {
  readonly filter: { readonly approvalLevel?: string; readonly region?: string; readonly product?: string; readonly caller?: string };
  readonly order: 'oldest' | 'newest';
  readonly after?: RetentionPosition;
  readonly limit: number;
}

export interface IdentifierSearch {
  /** Only the decisions this caller asked for (an origination system). */
  readonly caller?: string;
  readonly after?: IdentifierPosition;
  readonly limit: number;
}

/** A decision as a reviewer's queue shows it: enough to pick it up, and why it waits. */
export interface QueuedDecision {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly product: string;
  readonly region: string;
  readonly amount: number;
  readonly outcome: string;
  readonly approvalLevel: string;
  readonly reasons: readonly Reason[];
  readonly decidedAt: string;
  readonly caller: string | null;
}

/** A decision found by its application or an identifier: as the queue shows it, and where it stands now. */
export type ListedDecision = QueuedDecision & { readonly status: DecisionStatus; readonly currentOutcome: string };

const listed = (stored: StoredDecision): ListedDecision => ({ ...queued(stored), status: stored.status, currentOutcome: stored.currentOutcome });

function queued(stored: StoredDecision): QueuedDecision {
  // Imported history keeps its own document (reason codes only, no approval level).
  const document = stored.source === 'imported' ? ({ request: (stored.document as { request?: { amount?: number } }).request } as Partial<DecisionDocument>) : storedDocumentOf(stored.document);
  return {
    decisionId: stored.decisionId,
    applicationId: stored.applicationId,
    product: stored.product,
    region: stored.region,
    amount: document.request?.amount ?? 0,
    outcome: stored.outcome,
    approvalLevel: document.approvalLevel ?? 'auto',
    reasons: document.reasons ?? [],
    decidedAt: new Date(stored.decidedAt).toISOString(),
    caller: stored.caller ?? null,
  };
}

function shadowOf(store: AuditStore, decisionId: string): { shadow: ShadowView } | undefined {
  const row = store.shadowOf(decisionId);
  if (!row) return undefined;
  const reasons = row.challengerReasons ? (JSON.parse(row.challengerReasons) as string[]) : [];
  return { shadow: { challengerVersion: row.challengerVersion, status: row.status, outcome: row.challengerOutcome, reasons, approvalLevel: row.challengerApprovalLevel, elapsedMs: row.elapsedMs } };
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
    document: recordOf(document),
  };
}

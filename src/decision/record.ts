// What the audit store keeps of a decision: what makes it reproducible and explainable, and no
// more. The validated request (identifiers by mask only: their keyed hashes are the store's
// identifier rows), the facts each stage's providers computed and its rules' events set, the
// rules that fired, the answer, and the rule-set, model and graph versions. The per-condition
// trace of every rule (why a rule did not fire) is not stored: replaying the stored facts against
// the archived rule-set version gives it back, exactly, when someone asks for the decision.
import { roundTo } from '../common/round';
import type { Facts, Flow, Reason, RuleSet } from '../rules/ruleset';
import type { IdentifierType, ProtectedIdentifiers } from '../identity/identifiers';
import type { Application } from './application';
import { runFlow, type FlowResult, type StageProvider, type StageTrace } from './flow';
import { baseFacts, withFraud, type DecisionDocument } from './document';
import { factOf } from '../rules/facts';

/** Marks a lean record among stored documents (older rows hold the whole document). */
export const RECORD_FORMAT = 'decision-record/2';

export interface StageRecord {
  readonly stage: StageTrace['stage'];
  readonly status: StageTrace['status'];
  readonly durationMs: number;
  readonly fallback?: StageTrace['fallback'];
  /** What the stage's providers computed (the model's score, velocity, the graph's view, exposure…). */
  readonly provided?: Facts;
  /** What its fired rules' events set. */
  readonly eventFacts?: Facts;
  /** The rules that fired, in firing order. */
  readonly fired?: readonly string[];
}

export interface DecisionRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly decisionId: string;
  readonly applicationId: string;
  readonly product: string;
  readonly region: string;
  readonly decidedAt: string;
  readonly outcome: DecisionDocument['outcome'];
  readonly reasons: readonly Reason[];
  readonly approvalLevel: DecisionDocument['approvalLevel'];
  readonly versions: DecisionDocument['versions'];
  readonly totalMs: number;
  /** The validated request; each identifier by its mask and validity (its hash is an identifier row). */
  readonly request: Omit<Application, 'identifiers'> & { readonly identifiers: Partial<Record<IdentifierType, { readonly masked: string; readonly valid: boolean }>> };
  readonly stages: readonly StageRecord[];
  /** The outcome and reasons the flow reached (the facts priorOutcome and priorReasons after its last stage). */
  readonly flow: { readonly outcome: string; readonly reasons: readonly string[] };
  /** Facts replaced after the flow, when the commit-time exposure check settled the decision. */
  readonly settled?: Facts;
}

export function isDecisionRecord(stored: unknown): stored is DecisionRecord {
  return typeof stored === 'object' && stored !== null && (stored as { format?: unknown }).format === RECORD_FORMAT;
}

const nonEmpty = (facts: Facts | undefined): Facts | undefined => (facts && Object.keys(facts).length > 0 ? facts : undefined);

/** The record of a decision, from the document the decision was made with. */
export function recordOf(document: DecisionDocument): DecisionRecord {
  const identifiers: Partial<Record<IdentifierType, { masked: string; valid: boolean }>> = {};
  for (const [type, id] of Object.entries(document.request.identifiers)) identifiers[type as IdentifierType] = { masked: id.masked, valid: id.valid };
  const stages = document.stages.map((s): StageRecord => {
    const fired = s.rules.filter((r) => r.fired);
    const eventFacts: Record<string, unknown> = {};
    for (const r of fired) Object.assign(eventFacts, r.event.params?.facts);
    const provided = Object.fromEntries(Object.entries(s.facts).filter(([k]) => !(k in eventFacts) || s.facts[k] !== eventFacts[k]));
    return {
      stage: s.stage,
      status: s.status,
      // As the response's timings give it (to the microsecond).
      durationMs: roundTo(s.durationMs, 3),
      ...(s.fallback ? { fallback: s.fallback } : {}),
      ...(nonEmpty(provided) ? { provided } : {}),
      ...(nonEmpty(eventFacts) ? { eventFacts } : {}),
      ...(fired.length > 0 ? { fired: fired.map((r) => r.rule) } : {}),
    };
  });
  const flowFacts = document.facts as { priorOutcome?: string; priorReasons?: string[]; exposure?: unknown };
  const stagedExposure = [...document.stages].reverse().find((s) => 'exposure' in s.facts)?.facts.exposure;
  return {
    format: RECORD_FORMAT,
    decisionId: document.decisionId,
    applicationId: document.applicationId,
    product: document.product,
    region: document.region,
    decidedAt: document.decidedAt,
    outcome: document.outcome,
    reasons: document.reasons,
    approvalLevel: document.approvalLevel,
    versions: document.versions,
    totalMs: document.timings.totalMs,
    request: { ...document.request, identifiers },
    stages,
    flow: { outcome: flowFacts.priorOutcome ?? document.outcome, reasons: flowFacts.priorReasons ?? [] },
    ...(flowFacts.exposure !== undefined && flowFacts.exposure !== stagedExposure ? { settled: { exposure: flowFacts.exposure } } : {}),
  };
}

/** The request's identifiers with their hashes from the store's identifier rows ("purged" once retention forgot them). */
export function protectedIdentifiersOf(record: DecisionRecord, hashes: Readonly<Partial<Record<string, string>>>, purged: string): ProtectedIdentifiers {
  const out: ProtectedIdentifiers = {};
  for (const [type, id] of Object.entries(record.request.identifiers)) out[type as IdentifierType] = { hash: hashes[type] ?? purged, masked: id.masked, valid: id.valid };
  return out;
}

/**
 * The decision document again, from its record: every field as it was answered and stored,
 * the facts as the flow left them; each stage's rule results empty until replayed (replayTraces).
 */
export function documentOf(record: DecisionRecord, identifiers: ProtectedIdentifiers): DecisionDocument {
  const { identifiers: _masks, ...request } = record.request;
  let facts: Record<string, unknown> = { ...baseFacts({ ...request }, identifiers) };
  const stages: StageTrace[] = record.stages.map((s) => {
    const stageFacts = { ...s.provided, ...s.eventFacts };
    facts = { ...facts, ...stageFacts };
    return { stage: s.stage, status: s.status, durationMs: s.durationMs, ...(s.fallback ? { fallback: s.fallback } : {}), facts: stageFacts, rules: [] };
  });
  facts = { ...facts, priorOutcome: record.flow.outcome, priorReasons: record.flow.reasons, ...record.settled };
  return {
    decisionId: record.decisionId,
    applicationId: record.applicationId,
    outcome: record.outcome,
    reasons: record.reasons,
    // The answer's score, offer and fraud summary are the flow's facts, as when it was decided.
    score: factOf(facts, 'score') ?? null,
    offer: factOf(facts, 'offer') ?? null,
    approvalLevel: record.approvalLevel,
    versions: record.versions,
    timings: { totalMs: record.totalMs, stages: Object.fromEntries(record.stages.map((s) => [s.stage, s.durationMs])) },
    decidedAt: record.decidedAt,
    ...withFraud(facts),
    product: record.product,
    region: record.region,
    request: { ...request, identifiers },
    facts,
    stages,
  };
}


/** How the rule traces of a stored decision were obtained. */
export type TraceReplay =
  | { readonly status: 'replayed'; readonly ruleSetVersion: string }
  /** The replay fired other rules than the decision did (the archived version should make that impossible). */
  | { readonly status: 'differs'; readonly ruleSetVersion: string; readonly stages: readonly string[] }
  | { readonly status: 'unavailable'; readonly detail: string };

/**
 * The record's flow run again on its stored facts: providers answer what they answered then, and
 * a stage that fell back falls back again. A budget cannot run out in a replay (stages have none,
 * and the clock stands still): which stages fell back is the record's to say.
 */
export function rerunFlow(record: DecisionRecord, identifiers: ProtectedIdentifiers, flow: Flow, ruleSet: RuleSet): Promise<FlowResult> {
  const byStage = new Map(record.stages.map((s) => [s.stage, s]));
  const providers: Partial<Record<StageTrace['stage'], StageProvider>> = {};
  for (const stage of flow.stages) {
    const stored = byStage.get(stage.name);
    providers[stage.name] = () => {
      if (stored?.status !== 'completed') throw new Error(`stage ${stage.name} did not complete in the decision`);
      return stored.provided ?? {};
    };
  }
  const { identifiers: _masks, ...request } = record.request;
  const unhurried: Flow = { ...flow, budgetMs: Number.POSITIVE_INFINITY, stages: flow.stages.map((s) => ({ ...s, budgetMs: Number.POSITIVE_INFINITY })) };
  return runFlow({ flow: unhurried, reasons: ruleSet.reasons, tables: ruleSet.tables, facts: baseFacts({ ...request }, identifiers), providers, now: () => 0 });
}

/**
 * Each stage's rule results (with every condition's result) regained by running the record's
 * flow again on the stored facts: providers answer what they answered then, and a stage that
 * fell back falls back again. The rules must be the version the decision was made with.
 */
export async function replayTraces(record: DecisionRecord, document: DecisionDocument, ruleSet: RuleSet): Promise<{ document: DecisionDocument; replay: TraceReplay }> {
  const flow: Flow | undefined = ruleSet.flows.get(record.product);
  if (!flow) return { document, replay: { status: 'unavailable', detail: `rule set ${record.versions.rules} has no flow for ${record.product}` } };
  const byStage = new Map(record.stages.map((s) => [s.stage, s]));
  const replayed = await rerunFlow(record, document.request.identifiers, flow, ruleSet);
  const differing: string[] = [];
  const stages = document.stages.map((s) => {
    const again = replayed.stages.find((r) => r.stage === s.stage);
    if (!again || s.status !== 'completed') return s;
    const fired = again.rules.filter((r) => r.fired).map((r) => r.rule);
    if (fired.join('\n') !== (byStage.get(s.stage)?.fired ?? []).join('\n')) differing.push(s.stage);
    return { ...s, rules: again.rules };
  });
  return {
    document: { ...document, stages },
    replay: differing.length > 0 ? { status: 'differs', ruleSetVersion: record.versions.rules, stages: differing } : { status: 'replayed', ruleSetVersion: record.versions.rules },
  };
}

/**
 * The document of a stored decision: expanded from its record, or as stored (decisions stored
 * before lean records). Without `identifiers`, the request names none (answers, lifecycle steps).
 */
export function storedDocumentOf(stored: unknown, identifiers: ProtectedIdentifiers = {}): DecisionDocument {
  return isDecisionRecord(stored) ? documentOf(stored, identifiers) : (stored as DecisionDocument);
}

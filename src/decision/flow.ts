// Runs one product's staged flow over one application: each stage computes its facts, then its
// rules; fired events combine into the outcome. Each stage, and the whole flow, has a time
// budget; a stage that errors or overruns takes its declared fallback instead of its rules.
//
// Combination policy (docs/rules.md): the outcome starts at approve; each fired event, in firing
// order, raises it to the stricter of the two (decline > review > approve), unless the event says
// `override`, which replaces the outcome reached so far. `flag` only adds a reason and facts.
// Every event with a reason adds that reason once. `stop` skips the stages after its own.
import type { StageFacts } from '../rules/facts';
import { OUTCOME_SEVERITY, type Facts, type Flow, type FlowStage, type Outcome, type Reason, type ReasonSpec, type RuleResult, type StageName } from '../rules/ruleset';

export interface StageContext {
  /** Facts known when the stage starts (built-ins and those set by earlier stages). */
  readonly facts: Facts;
  /** Aborted when the stage's budget runs out: providers should stop work then. */
  readonly signal: AbortSignal;
  /** The rule set's tables (grades, pricing, …): the same snapshot for the whole decision. */
  readonly tables: ReadonlyMap<string, unknown>;
}

/** Computes the facts a stage adds before its rules run (the model score, velocity counts, …), each of its registered type. */
export type StageProvider = (context: StageContext) => StageFacts | Promise<StageFacts>;
export type StageProviders = Readonly<Partial<Record<StageName, StageProvider>>>;

/** One provider from several: they run concurrently and their facts merge (later wins). */
export function combineProviders(...providers: readonly StageProvider[]): StageProvider {
  return async (context) => Object.assign({}, ...(await Promise.all(providers.map((p) => p(context)))));
}

export type StageStatus = 'completed' | 'fallback' | 'skipped';
export type FallbackCause = 'error' | 'timeout' | 'decision_budget';

export interface StageTrace {
  readonly stage: StageName;
  readonly status: StageStatus;
  readonly durationMs: number;
  readonly fallback?: { readonly reason: string; readonly outcome: Outcome; readonly cause: FallbackCause; readonly detail?: string };
  /** Facts this stage added (its provider's and its rules' events'). */
  readonly facts: Facts;
  readonly rules: readonly RuleResult[];
}

export interface FlowResult {
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  readonly facts: Facts;
  readonly stages: readonly StageTrace[];
  readonly totalMs: number;
}

export interface FlowInput {
  readonly flow: Flow;
  readonly reasons: ReadonlyMap<string, ReasonSpec>;
  readonly facts: Facts;
  readonly providers: StageProviders;
  readonly tables?: ReadonlyMap<string, unknown>;
  /** Monotonic milliseconds; injected so tests can reason about budgets. */
  readonly now?: () => number;
}

class StageTimeout extends Error {
  constructor(readonly ms: number) {
    super(`stage exceeded its ${ms} ms budget`);
  }
}

async function withinBudget<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // A replay's stages have no budget (their providers answer from the record): no timer to set.
  if (ms === Number.POSITIVE_INFINITY) return work(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StageTimeout(ms));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function stricter(a: Outcome, b: Outcome): Outcome {
  return OUTCOME_SEVERITY[b] > OUTCOME_SEVERITY[a] ? b : a;
}

async function runStage(
  stage: FlowStage,
  facts: Facts,
  providers: StageProviders,
  tables: ReadonlyMap<string, unknown>,
): Promise<{ added: Facts; rules: RuleResult[] }> {
  return withinBudget(stage.budgetMs, async (signal) => {
    const provider = providers[stage.name];
    const added = provider ? await provider({ facts, signal, tables }) : {};
    const rules = await stage.evaluator.evaluate({ ...facts, ...added });
    return { added, rules };
  });
}

export async function runFlow(input: FlowInput): Promise<FlowResult> {
  const now = input.now ?? (() => performance.now());
  const started = now();
  let outcome: Outcome = 'approve';
  let facts: Record<string, unknown> = { ...input.facts, priorOutcome: 'approve', priorReasons: [] };
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  const stages: StageTrace[] = [];
  let stopped = false;

  const addReason = (code: string, stage: StageName, rule?: string) => {
    if (seen.has(code)) return;
    seen.add(code);
    reasons.push({ code, stage, message: input.reasons.get(code)?.message ?? code, ...(rule ? { rule } : {}) });
  };

  for (const stage of input.flow.stages) {
    const stageStart = now();
    if (stopped) {
      stages.push({ stage: stage.name, status: 'skipped', durationMs: 0, facts: {}, rules: [] });
      continue;
    }
    const remaining = input.flow.budgetMs - (stageStart - started);
    const takeFallback = (cause: FallbackCause, detail?: string) => {
      outcome = stricter(outcome, stage.fallback.outcome);
      addReason(stage.fallback.reason, stage.name);
      stages.push({
        stage: stage.name,
        status: 'fallback',
        durationMs: now() - stageStart,
        fallback: { ...stage.fallback, cause, ...(detail ? { detail } : {}) },
        facts: {},
        rules: [],
      });
    };
    if (remaining <= 0) {
      takeFallback('decision_budget', `the decision's ${input.flow.budgetMs} ms budget was spent before this stage`);
      facts.priorOutcome = outcome;
      facts.priorReasons = reasons.map((r) => r.code);
      continue;
    }
    const budget = Math.min(stage.budgetMs, remaining);
    try {
      const { added, rules } = await runStage({ ...stage, budgetMs: budget }, facts, input.providers, input.tables ?? new Map());
      const eventFacts: Record<string, unknown> = {};
      for (const result of rules) {
        if (!result.fired) continue;
        const { type, params = {} } = result.event;
        if (type !== 'flag') outcome = params.override ? type : stricter(outcome, type);
        if (params.reason) addReason(params.reason, stage.name, result.rule);
        Object.assign(eventFacts, params.facts);
        if (params.stop) stopped = true;
      }
      const stageFacts = { ...added, ...eventFacts };
      facts = { ...facts, ...stageFacts };
      stages.push({ stage: stage.name, status: 'completed', durationMs: now() - stageStart, facts: stageFacts, rules });
    } catch (err) {
      const timedOut = err instanceof StageTimeout;
      const cause: FallbackCause = timedOut ? (budget < stage.budgetMs ? 'decision_budget' : 'timeout') : 'error';
      takeFallback(cause, (err as Error).message);
    }
    facts.priorOutcome = outcome;
    facts.priorReasons = reasons.map((r) => r.code);
  }

  return { outcome, reasons, facts, stages, totalMs: now() - started };
}

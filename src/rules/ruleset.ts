// The validated, immutable rule set the service decides with. Built only by compileRuleSet;
// swapped as a whole on reload, so a decision never sees half of an edit.
import type { IdentifierType } from '../identity/identifiers';

/** The stages of every flow, in order. */
export const STAGES = ['eligibility', 'fraud', 'scoring', 'approval', 'limits'] as const;
export type StageName = (typeof STAGES)[number];

export type Outcome = 'approve' | 'review' | 'decline';
export const OUTCOME_SEVERITY: Readonly<Record<Outcome, number>> = { approve: 0, review: 1, decline: 2 };

export interface RuleEvent {
  readonly type: Outcome | 'flag';
  readonly params?: {
    readonly reason?: string;
    readonly facts?: Readonly<Record<string, unknown>>;
    readonly override?: boolean;
    readonly stop?: boolean;
  };
}

export type Facts = Readonly<Record<string, unknown>>;

/** One rule's verdict for one run, with the evaluated condition tree (why it did or did not fire). */
export interface RuleResult {
  readonly rule: string;
  readonly priority: number;
  readonly fired: boolean;
  readonly event: RuleEvent;
  readonly conditions: unknown;
}

/** How a stage's rules are run (src/rules/evaluator.ts implements it with json-rules-engine). */
export interface StageEvaluator {
  /** Fired rules first, in the order they fired (priority, then file order); then the others. */
  evaluate(facts: Facts): Promise<RuleResult[]>;
}

/** A reason code a decision gives, with the stage and rule that gave it. */
export interface Reason {
  readonly code: string;
  readonly stage: StageName;
  readonly message: string;
  /** The rule that gave it; absent for a stage fallback. */
  readonly rule?: string;
}

export interface RuleDefinition {
  readonly name: string;
  readonly description?: string;
  readonly priority?: number;
  readonly conditions: unknown;
  readonly event: RuleEvent;
}

export interface StageFallback {
  readonly outcome: Outcome;
  readonly reason: string;
}

export interface ExposurePolicy {
  readonly onLimitExceeded: { readonly outcome: 'review' | 'decline'; readonly reason: string };
  readonly onLimitNear: { readonly reason: string };
}

/** When a flow's limits stage declares nothing: a person reviews, and is told why. */
export const DEFAULT_EXPOSURE_POLICY: ExposurePolicy = {
  onLimitExceeded: { outcome: 'review', reason: 'REGION_LIMIT_EXCEEDED' },
  onLimitNear: { reason: 'REGION_LIMIT_NEAR' },
};

/** How a stage's rules run: compiled to closures, or by json-rules-engine (the reference). */
export const EVALUATOR_KINDS = ['compiled', 'json-rules-engine'] as const;
export type EvaluatorKind = (typeof EVALUATOR_KINDS)[number];

export interface FlowStage {
  readonly name: StageName;
  readonly budgetMs: number;
  readonly fallback: StageFallback;
  readonly rules: readonly RuleDefinition[];
  readonly evaluator: StageEvaluator;
  readonly evaluatorKind: EvaluatorKind;
  /** Why a stage runs on the reference evaluator: a construct the compiler does not support, or the setting. */
  readonly evaluatorNote?: string;
}

export interface Flow {
  readonly product: string;
  readonly description?: string;
  readonly budgetMs: number;
  readonly stages: readonly FlowStage[];
  /** What happens to an approval that does not fit its region's exposure limit. */
  readonly exposurePolicy: ExposurePolicy;
}

export interface ReasonSpec {
  readonly message: string;
  readonly adverseAction?: boolean;
}

export interface IdentifierList {
  readonly name: string;
  readonly identifierType: IdentifierType;
  readonly hashes: ReadonlySet<string>;
}

export interface RuleFileInfo {
  readonly path: string;
  readonly sha256: string;
}

/** A product's challenger flow, run in shadow after its champion has answered. */
export interface Challenger {
  readonly flow: Flow;
  /** shadow/<product>.json */
  readonly file: string;
  /** The file's content hash (16 hex), stored with each shadow decision. */
  readonly version: string;
}

export interface RuleSet {
  /** Content hash of every rule file: recorded in each decision. */
  readonly version: string;
  readonly loadedAt: Date;
  readonly files: readonly RuleFileInfo[];
  /**
   * The files as the audit store archives this version (to replay its decisions later): as
   * loaded, except lists, whose raw entries are replaced by their keyed hashes.
   */
  readonly archive: readonly { readonly path: string; readonly text: string }[];
  readonly flows: ReadonlyMap<string, Flow>;
  /** Challenger flows by product (shadow/<product>.json): decided beside the champion, never answered. */
  readonly challengers: ReadonlyMap<string, Challenger>;
  readonly reasons: ReadonlyMap<string, ReasonSpec>;
  readonly lists: ReadonlyMap<string, IdentifierList>;
  /** Validated tables by path (see src/rules/tables.ts). */
  readonly tables: ReadonlyMap<string, unknown>;
}

// Turns the texts of the rule files into a RuleSet, or into positioned diagnostics.
// Pure: the caller reads the files. Two passes: each file against its JSON Schema, then the
// checks a schema cannot express (facts, operators, reason codes, lists, stage order, names).
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import flowSchema from '../../rules/schema/flow.schema.json' with { type: 'json' };
import listSchema from '../../rules/schema/list.schema.json' with { type: 'json' };
import reasonsSchema from '../../rules/schema/reasons.schema.json' with { type: 'json' };
import type { IdentifierType } from '../identity/identifiers';
import { schemaDiagnostics, SourceFile, type Diagnostic, type JsonPath } from './diagnostics';
import { expandDecisionTable, inputCondition, type DecisionTable, type FactCondition } from './decision-table';
import { compileStageEvaluator } from './compiled-evaluator';
import { JsonRulesEngineEvaluator, type CustomOperator } from './evaluator';
import { checkComparison, ruleSetDomains, type ComparisonContext, type SchemaFragment } from './fact-types';
import { FACT_NAMES, factSpec } from './facts';
import { TABLES } from './tables';
import { DEFAULT_EXPOSURE_POLICY, STAGES, type StageName, type ExposurePolicy, type Flow, type FlowStage, type IdentifierList, type ReasonSpec, type RuleDefinition, type RuleEvent, type RuleSet, type StageFallback, type EvaluatorKind, type Challenger } from './ruleset';

export interface RuleFileText {
  /** Path inside the rules folder, with forward slashes: flows/personal_loan.json */
  readonly relPath: string;
  /** How diagnostics name the file: rules/flows/personal_loan.json */
  readonly displayPath: string;
  readonly text: string;
}

export interface CompileOptions {
  /**
   * 'compiled' (the default): each stage's rules compile to closures checked against
   * json-rules-engine (src/rules/compiled-evaluator.ts), a stage the compiler cannot take runs on
   * the reference; 'json-rules-engine': every stage on the reference (RULES_EVALUATOR).
   */
  readonly evaluator?: EvaluatorKind;
  readonly hashIdentifier: (type: IdentifierType, raw: string) => string;
  readonly now?: Date;
  /**
   * The POST /decide JSON Schema the service validates requests with (decision/application.ts):
   * conditions on the request's fields are then checked against its categories and bounds too.
   */
  readonly applicationSchema?: SchemaFragment;
}

export type CompileResult = { ok: true; ruleSet: RuleSet } | { ok: false; diagnostics: Diagnostic[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = {
  flow: ajv.compile(flowSchema),
  list: ajv.compile(listSchema),
  reasons: ajv.compile(reasonsSchema),
} satisfies Record<string, ValidateFunction>;
const tableValidators = new Map(TABLES.map((t) => [t.relPath, { spec: t, validate: ajv.compile(t.schema) }]));
/** A challenger flow (shadow/<product>.json) is a flow file in every respect but where it lives. */
type FileKind = keyof typeof validators | 'table' | 'shadow';

function kindOf(relPath: string): FileKind | undefined {
  if (relPath === 'reasons.json') return 'reasons';
  if (tableValidators.has(relPath)) return 'table';
  if (/^flows\/[^/]+\.json$/.test(relPath)) return 'flow';
  if (/^lists\/[^/]+\.json$/.test(relPath)) return 'list';
  if (/^shadow\/[^/]+\.json$/.test(relPath)) return 'shadow';
  return undefined;
}

/** Rule-file folders that hold no rules: analysts' test cases and the published schemas. */
export function isRuleFile(relPath: string): boolean {
  return relPath.endsWith('.json') && !relPath.startsWith('tests/') && !relPath.startsWith('schema/');
}

interface ParsedFile {
  readonly file: RuleFileText;
  readonly source: SourceFile;
  readonly value: any;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function ruleSetVersion(files: readonly RuleFileText[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.relPath < b.relPath ? -1 : 1))) h.update(`${f.relPath}\0${sha256(f.text)}\n`);
  return h.digest('hex').slice(0, 16);
}

const baseName = (relPath: string) => relPath.replace(/^.*\//, '').replace(/\.json$/, '');

class FlowChecker {
  private readonly ruleNames = new Map<string, JsonPath>();
  /** Facts set by rule events, with the index of the stage that sets them. */
  private readonly eventFacts = new Map<string, number>();
  private stageOrder: StageName[] = [];

  constructor(
    private readonly parsed: ParsedFile,
    private readonly reasons: ReadonlyMap<string, ReasonSpec>,
    /** What conditions are type-checked against: the rule set's lists and domains, the request schema. */
    private readonly comparisons: ComparisonContext,
    private readonly out: Diagnostic[],
  ) {}

  private report(code: Diagnostic['code'], path: JsonPath, message: string) {
    this.out.push(this.parsed.source.diagnostic(code, path, message));
  }

  private checkReason(code: string | undefined, path: JsonPath) {
    if (code !== undefined && !this.reasons.has(code)) {
      this.report('UNKNOWN_REASON', path, `unknown reason code "${code}" (declare it in rules/reasons.json)`);
    }
  }

  /** Checks the flow; returns each stage's rules in evaluation order (its rules, then its tables' rows). */
  check(): RuleDefinition[][] {
    const flow = this.parsed.value;
    const stageRules: RuleDefinition[][] = [];
    const expected = baseName(this.parsed.file.relPath);
    if (flow.product !== expected) {
      this.report('PRODUCT_MISMATCH', ['product'], `product "${flow.product}" must equal the file name "${expected}"`);
    }
    this.stageOrder = (flow.stages as { stage: string }[]).map((s) => s.stage as StageName);
    const seenStages = new Set<string>();
    flow.stages.forEach((stage: any, si: number) => {
      if (!(STAGES as readonly string[]).includes(stage.stage)) {
        this.report('UNKNOWN_STAGE', ['stages', si, 'stage'], `unknown stage "${stage.stage}" (expected one of ${STAGES.join(', ')})`);
      } else if (seenStages.has(stage.stage)) {
        this.report('DUPLICATE_STAGE', ['stages', si, 'stage'], `stage "${stage.stage}" appears twice in this flow`);
      }
      seenStages.add(stage.stage);
      this.checkReason(stage.fallback.reason, ['stages', si, 'fallback', 'reason']);
      for (const key of ['onLimitExceeded', 'onLimitNear'] as const) {
        if (!stage[key]) continue;
        if (stage.stage !== 'limits') this.report('UNKNOWN_STAGE', ['stages', si, key], `${key} belongs on the limits stage`);
        this.checkReason(stage[key].reason, ['stages', si, key, 'reason']);
      }
      const rules: RuleDefinition[] = stage.rules ?? [];
      rules.forEach((rule: any, ri: number) => this.checkRule(rule, si, ['stages', si, 'rules', ri]));
      const rows = (stage.tables ?? []).flatMap((table: DecisionTable, ti: number) => this.expandTable(table, ['stages', si, 'tables', ti], si));
      const all = [...rules, ...rows];
      // Facts set in this stage become visible from the next stage on.
      for (const rule of all) {
        for (const name of Object.keys(rule.event.params?.facts ?? {})) if (!this.eventFacts.has(name)) this.eventFacts.set(name, si);
      }
      stageRules.push(all);
    });
    return stageRules;
  }

  /** A table's rows as rules, each checked as a rule is, with diagnostics placed on the row and its cells. */
  private expandTable(table: DecisionTable, at: JsonPath, stageIndex: number): RuleDefinition[] {
    const { rules, problems } = expandDecisionTable(table, at);
    for (const problem of problems) this.report('DECISION_TABLE', problem.path, problem.message);
    // A column names a fact that must exist by this stage, whether or not a row tests it.
    table.inputs.forEach((input, i) => this.checkFact(inputCondition(input).fact, stageIndex, [...at, 'inputs', i]));
    for (const { rule, path, sources } of rules) {
      const row = table.rows[path[path.length - 1] as number];
      this.checkName(rule.name, row?.rule !== undefined ? [...path, 'rule'] : path);
      this.checkEvent(rule.event, path, { reason: [...path, 'reason'], facts: [...path, 'facts'] });
      // Only the row's own cells: a "first" row's "no earlier row matched" repeats cells checked on their rows.
      for (const [condition, cell] of sources) this.checkComparisonAt(condition as FactCondition, stageIndex, () => cell);
    }
    return rules.map((r) => r.rule);
  }

  private checkRule(rule: any, stageIndex: number, path: JsonPath) {
    this.checkName(rule.name, [...path, 'name']);
    const params: JsonPath = [...path, 'event', 'params'];
    this.checkEvent(rule.event, params, { reason: [...params, 'reason'], facts: [...params, 'facts'] });
    this.checkCondition(rule.conditions, stageIndex, [...path, 'conditions']);
  }

  private checkName(name: string, path: JsonPath) {
    const previous = this.ruleNames.get(name);
    if (previous) {
      const first = this.parsed.source.diagnostic('DUPLICATE_RULE', previous, '');
      this.report('DUPLICATE_RULE', path, `duplicate rule name "${name}" (first used at line ${first.line})`);
    } else {
      this.ruleNames.set(name, path);
    }
  }

  /** `at`: where the event's parameters are written; `paths`: where its reason and facts are. */
  private checkEvent(event: RuleEvent, at: JsonPath, paths: { readonly reason: JsonPath; readonly facts: JsonPath }) {
    const params = event.params ?? {};
    if ((event.type === 'decline' || event.type === 'review') && params.reason === undefined) {
      this.report('UNKNOWN_REASON', at, `a ${event.type} rule must give a reason code`);
    }
    this.checkReason(params.reason, paths.reason);
    for (const name of Object.keys(params.facts ?? {})) {
      if (factSpec(name)) this.report('UNKNOWN_FACT', [...paths.facts, name], `"${name}" is a built-in fact and cannot be set by a rule`);
    }
  }

  private checkCondition(c: any, stageIndex: number, path: JsonPath) {
    for (const key of ['all', 'any'] as const) {
      if (Array.isArray(c[key])) c[key].forEach((sub: unknown, i: number) => this.checkCondition(sub, stageIndex, [...path, key, i]));
    }
    if (c.not) this.checkCondition(c.not, stageIndex, [...path, 'not']);
    if (typeof c.fact !== 'string') return;
    this.checkComparisonAt(c, stageIndex, (part, at = []) => [...path, ...(part ? [part] : []), ...at]);
  }

  /**
   * One comparison: its facts exist and are set by this stage; operator, path and value fit the
   * fact's declared type (src/rules/fact-types.ts). `where` places a part of it in the file.
   */
  private checkComparisonAt(c: FactCondition, stageIndex: number, where: (part?: 'fact' | 'path' | 'operator' | 'value', at?: JsonPath) => JsonPath) {
    this.checkFact(c.fact, stageIndex, where('fact'));
    const value = c.value as { fact?: unknown } | null;
    if (value && typeof value === 'object' && typeof value.fact === 'string') this.checkFact(value.fact, stageIndex, where('value', ['fact']));
    for (const problem of checkComparison(c, this.comparisons)) this.report(problem.code, where(problem.part, problem.at), problem.message);
  }

  /** That the fact exists and is set by the time this stage runs (`at`: where it is named); its path and type are checkComparison's. */
  private checkFact(fact: string, stageIndex: number, at: JsonPath) {
    const spec = factSpec(fact);
    const setAt = this.eventFacts.get(fact);
    const currentStage = this.stageOrder[stageIndex];
    if (!spec) {
      if (setAt !== undefined && setAt < stageIndex) return;
      const known = [...FACT_NAMES, ...[...this.eventFacts].filter(([, s]) => s < stageIndex).map(([n]) => n)];
      const why = setAt !== undefined ? ` (it is set by a rule in stage "${this.stageOrder[setAt]}", visible only to later stages)` : ` (known: ${known.join(', ')})`;
      this.report('UNKNOWN_FACT', at, `unknown fact "${fact}"${why}`);
      return;
    }
    if (spec.producedBy) {
      const producer = this.stageOrder.indexOf(spec.producedBy);
      if (producer < 0 || producer > stageIndex) {
        this.report(
          'FACT_NOT_YET_AVAILABLE',
          at,
          producer < 0
            ? `fact "${fact}" is produced by stage "${spec.producedBy}", which this flow does not run`
            : `fact "${fact}" is produced by stage "${spec.producedBy}", which runs after "${currentStage}" in this flow`,
        );
      }
    }
  }
}

export function listOperators(lists: ReadonlyMap<string, IdentifierList>): CustomOperator[] {
  const member = (hash: unknown, name: unknown) => typeof hash === 'string' && lists.get(String(name))?.hashes.has(hash) === true;
  return [
    { name: 'inList', evaluate: member },
    // An absent identifier is not on any list.
    { name: 'notInList', evaluate: (hash, name) => typeof hash === 'string' && !member(hash, name) },
  ];
}

function stageEvaluator(rules: readonly RuleDefinition[], operators: readonly CustomOperator[], wanted: EvaluatorKind): Pick<FlowStage, 'evaluator' | 'evaluatorKind' | 'evaluatorNote'> {
  const reference = () => new JsonRulesEngineEvaluator(rules, operators);
  if (wanted === 'json-rules-engine') return { evaluator: reference(), evaluatorKind: 'json-rules-engine', evaluatorNote: 'RULES_EVALUATOR=json-rules-engine' };
  const compiled = compileStageEvaluator(rules, operators);
  return compiled.compiled
    ? { evaluator: compiled.evaluator, evaluatorKind: 'compiled' }
    : { evaluator: reference(), evaluatorKind: 'json-rules-engine', evaluatorNote: compiled.reason };
}

export function compileRuleSet(files: readonly RuleFileText[], options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const parsed: Record<FileKind, ParsedFile[]> = { flow: [], list: [], reasons: [], table: [], shadow: [] };

  for (const file of files) {
    const kind = kindOf(file.relPath);
    if (!kind) {
      const expected = ['reasons.json', 'flows/<product>.json', 'shadow/<product>.json', 'lists/<name>.json', ...tableValidators.keys()].join(', ');
      diagnostics.push({ code: 'UNKNOWN_FILE', file: file.displayPath, line: 1, column: 1, path: '', message: `not a rule file: expected one of ${expected}` });
      continue;
    }
    const result = SourceFile.parse(file.displayPath, file.text);
    if ('diagnostics' in result) {
      diagnostics.push(...result.diagnostics);
      continue;
    }
    const table = kind === 'table' ? tableValidators.get(file.relPath) : undefined;
    const validate = table ? table.validate : validators[kind === 'shadow' ? 'flow' : (kind as keyof typeof validators)];
    if (!validate(result.value)) {
      diagnostics.push(...schemaDiagnostics(result.source, validate.errors ?? []));
      continue;
    }
    parsed[kind].push({ file, source: result.source, value: result.value });
  }

  const reasonsFile = parsed.reasons[0];
  if (!reasonsFile && !files.some((f) => f.relPath === 'reasons.json')) {
    diagnostics.push({ code: 'MISSING_FILE', file: 'reasons.json', line: 1, column: 1, path: '', message: 'missing: every rule set needs rules/reasons.json declaring its reason codes' });
  }
  const reasons = new Map<string, ReasonSpec>(Object.entries(reasonsFile?.value.reasons ?? {}));

  const lists = new Map<string, IdentifierList>();
  // What the store archives of each list: its hashes, never a raw entry.
  const archivedLists = new Map<string, string>();
  for (const { file, value } of parsed.list) {
    const name = baseName(file.relPath);
    const type = value.identifierType as IdentifierType;
    const hashes = new Set<string>([...(value.hashes ?? []), ...(value.entries ?? []).map((e: string) => options.hashIdentifier(type, e))]);
    lists.set(name, { name, identifierType: type, hashes });
    const { entries: _raw, ...rest } = value as { entries?: unknown };
    archivedLists.set(file.relPath, `${JSON.stringify({ ...rest, hashes: [...hashes].sort() }, null, 2)}\n`);
  }

  const comparisons: ComparisonContext = {
    lists,
    domains: ruleSetDomains(reasonsFile ? reasons.keys() : undefined, (relPath) => parsed.table.find((p) => p.file.relPath === relPath)?.value),
    ...(options.applicationSchema ? { applicationSchema: options.applicationSchema } : {}),
  };
  const flowRules = new Map([...parsed.flow, ...parsed.shadow].map((p) => [p, new FlowChecker(p, reasons, comparisons, diagnostics).check()]));
  const champions = new Set(parsed.flow.map((p) => p.value.product as string));
  for (const p of parsed.shadow) {
    if (champions.has(p.value.product)) continue;
    diagnostics.push(p.source.diagnostic('PRODUCT_MISMATCH', ['product'], `a challenger needs its champion: there is no flows/${p.value.product}.json`));
  }
  const tables = new Map<string, unknown>(parsed.table.map((p) => [p.file.relPath, p.value]));
  for (const p of parsed.table) {
    tableValidators.get(p.file.relPath)?.spec.check?.(p.value, {
      source: p.source,
      reasons,
      table: (relPath) => tables.get(relPath),
      report: (code, path, message) => diagnostics.push(p.source.diagnostic(code, path, message)),
    });
  }
  for (const relPath of tableValidators.keys()) {
    if (!files.some((f) => f.relPath === relPath)) {
      diagnostics.push({ code: 'MISSING_FILE', file: relPath, line: 1, column: 1, path: '', message: `missing: the rule set needs ${relPath}` });
    }
  }
  if (parsed.flow.length === 0 && !files.some((f) => kindOf(f.relPath) === 'flow')) {
    diagnostics.push({ code: 'MISSING_FILE', file: 'flows/', line: 1, column: 1, path: '', message: 'missing: no flows/<product>.json, so no product can be decided' });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };

  const operators = listOperators(lists);
  const flowOf = (p: ParsedFile): Flow => {
    const { value } = p;
    const stageRules = flowRules.get(p) ?? [];
    const stages: FlowStage[] = value.stages.map((s: any, si: number) => ({
      name: s.stage as StageName,
      budgetMs: s.budgetMs as number,
      fallback: s.fallback as StageFallback,
      rules: stageRules[si] ?? [],
      ...stageEvaluator(stageRules[si] ?? [], operators, options.evaluator ?? 'compiled'),
    }));
    const limits = value.stages.find((s: any) => s.stage === 'limits');
    const exposurePolicy: ExposurePolicy = {
      onLimitExceeded: limits?.onLimitExceeded ?? DEFAULT_EXPOSURE_POLICY.onLimitExceeded,
      onLimitNear: limits?.onLimitNear ?? DEFAULT_EXPOSURE_POLICY.onLimitNear,
    };
    return { product: value.product, description: value.description, budgetMs: value.budgetMs, stages, exposurePolicy };
  };
  const flows = new Map<string, Flow>(parsed.flow.map((p) => [p.value.product as string, flowOf(p)]));
  const challengers = new Map<string, Challenger>(parsed.shadow.map((p) => [p.value.product as string, { flow: flowOf(p), file: p.file.relPath, version: sha256(p.file.text).slice(0, 16) }]));

  return {
    ok: true,
    ruleSet: {
      version: ruleSetVersion(files),
      loadedAt: options.now ?? new Date(),
      files: files.map((f) => ({ path: f.relPath, sha256: sha256(f.text) })),
      archive: files.map((f) => ({ path: f.relPath, text: archivedLists.get(f.relPath) ?? f.text })),
      flows,
      challengers,
      reasons,
      lists,
      tables,
    },
  };
}

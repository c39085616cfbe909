// Analysts' rule test cases (rules/tests/*.json), the one way rules:test, rules:check and npm test
// read, run and measure them. A case gives only what matters to it: the application fields it
// changes from its product's default application (rules/tests/defaults/<product>.json), earlier
// sightings of identifiers, exposure already reserved, facts a stage should report (a fraud ring
// the graph would need hundreds of applications to show), and the outcome and reason codes the
// rules must reach. Each case runs the real flow with the real stage providers, the fraud graph
// included, in isolation (its own velocity history, graph and exposure book).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020';
import caseSchema from '../../rules/schema/test-case.schema.json' with { type: 'json' };
import type { ApprovalLevel } from '../approval/authority';
import { CLUSTERS_TABLE, type ClusterConfig } from '../graph/config';
import { FraudGraph } from '../graph/fraud-graph';
import { inlineRunner } from '../graph/recluster-runner';
import type { IdentifierProtector, IdentifierType, RawIdentifiers } from '../identity/identifiers';
import { ExposureBook } from '../limits/exposure-book';
import { isAcceptedRegion, REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import { formatDiagnostic, SourceFile, schemaDiagnostics, type Diagnostic, type JsonPath } from '../rules/diagnostics';
import { FACT_CATALOG, factSpec, type FactName, type FactTypes, type StageFacts } from '../rules/facts';
import { displayPathOf } from '../rules/load';
import type { Outcome, Reason, RuleEvent, RuleSet, StageName } from '../rules/ruleset';
import type { ModelLoad } from '../scoring/onnx-model';
import { VelocityIndex } from '../velocity/velocity-index';
import { applicationSchemaFor, type Application } from './application';
import type { StageProvider, StageProviders } from './flow';
import { evaluateApplication, type Evaluation } from './service';
import { standardProviders } from './stages';

/** The folder of each product's default application, inside rules/tests. */
export const DEFAULTS_FOLDER = 'defaults';

/** An earlier application's identifiers, seen this many minutes before the case is decided. */
export interface HistorySighting {
  readonly identifiers: RawIdentifiers;
  readonly minutesAgo: number;
}

export interface Expectation {
  readonly outcome: Outcome;
  readonly approvalLevel?: ApprovalLevel;
  /** Reason codes that must all be given (others may be given too). */
  readonly reasons?: readonly string[];
  /** Reason codes that must not be given. */
  readonly absentReasons?: readonly string[];
}

/** Facts a case makes a stage report: an object fact's keys are laid over the stage's own, any other fact replaces it. */
export type CaseFacts = { readonly [K in FactName]?: FactTypes[K] extends readonly unknown[] ? FactTypes[K] : FactTypes[K] extends object ? Partial<FactTypes[K]> : FactTypes[K] };

/** A case as read: its application complete (merged over the product's defaults) and checked. */
export interface RuleTestCase {
  /** How reports name it: rules/tests/<name>.json */
  readonly file: string;
  readonly description?: string;
  readonly application: Application;
  readonly history: readonly HistorySighting[];
  /** Exposure already reserved per region before this application. */
  readonly exposure: Readonly<Record<string, number>>;
  readonly facts: CaseFacts;
  readonly expect: Expectation;
}

/** A case file, or a defaults file, that cannot run, with every problem placed in its file. */
export interface UnreadableCase {
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
}

export interface RuleTestCases {
  readonly cases: readonly RuleTestCase[];
  readonly unreadable: readonly UnreadableCase[];
}

/** A rule that fired in a case, with what its event did. */
export interface FiredRule {
  readonly stage: StageName;
  readonly rule: string;
  readonly type: RuleEvent['type'];
  readonly reason?: string;
}

export interface RuleTestResult {
  readonly testCase: RuleTestCase;
  readonly outcome: Outcome;
  readonly approvalLevel: ApprovalLevel;
  readonly reasons: readonly Reason[];
  readonly fired: readonly FiredRule[];
  /** The decision as evaluated: its facts per stage (identifiers only as keyed hashes and masked forms). */
  readonly evaluation: Evaluation;
  /** Empty when the case passed. */
  readonly failures: readonly string[];
}

/** Which of a flow's rules fired in at least one case. */
export interface FlowCoverage {
  readonly product: string;
  readonly rules: number;
  readonly covered: number;
  readonly uncovered: readonly { readonly stage: StageName; readonly rule: string }[];
}

export interface RuleTestRun extends RuleTestCases {
  readonly results: readonly RuleTestResult[];
  readonly coverage: readonly FlowCoverage[];
}

export interface RuleTestDeps {
  readonly ruleSet: RuleSet;
  readonly protector: IdentifierProtector;
  /** The credit model as loaded (the real one, so cases can expect grades and adverse factors); without one the scoring stage falls back. */
  readonly model: ModelLoad;
  /** When the cases are decided (epoch ms; velocity windows count back from it). Default: now. */
  readonly now?: number;
}

// ---------------------------------------------------------------------------------------------
// Reading cases
// ---------------------------------------------------------------------------------------------

const ajv = new Ajv({ allErrors: true, strict: false });
const validateCaseFile = ajv.compile(caseSchema);
const validateDefaultsFile = ajv.compile({
  type: 'object',
  required: ['application'],
  additionalProperties: false,
  properties: { description: { type: 'string' }, application: { type: 'object' } },
});

/** A case file as its schema admits it (the application is a patch until merged). */
interface CaseFile {
  readonly description?: string;
  readonly application: { readonly product: string } & Record<string, unknown>;
  readonly history?: readonly HistorySighting[];
  readonly exposure?: Readonly<Record<string, number>>;
  readonly facts?: Readonly<Record<string, unknown>>;
  readonly expect: Expectation;
}

interface ProductDefaults {
  readonly source: SourceFile;
  readonly application: Readonly<Record<string, unknown>>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * JSON Merge Patch (RFC 7396): objects merge key by key, null removes a key, anything else
 * replaces. So a case changes one applicant field or identifier and keeps the rest, and
 * `"email": null` takes a default identifier away.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = mergePatch(merged[key], value);
  }
  return merged;
}

/** Whether a value exists at the path (a case or a defaults file wrote it). */
function hasPath(value: unknown, at: JsonPath): boolean {
  let current = value;
  for (const key of at) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return false;
    current = (current as Record<string | number, unknown>)[key];
  }
  return true;
}

function pathOf(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Reads every rules/tests/*.json case against the rule set; a case that cannot run says why, with positions. */
export async function readRuleTestCases(rulesDir: string, ruleSet: RuleSet, model: ModelLoad): Promise<RuleTestCases> {
  const testsDir = path.join(rulesDir, 'tests');
  const unreadable: UnreadableCase[] = [];
  const defaults = new Map<string, ProductDefaults>();
  const defaultsDir = path.join(testsDir, DEFAULTS_FOLDER);
  const defaultFiles = (await readdir(defaultsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  for (const name of defaultFiles) {
    const file = displayPathOf(rulesDir, `tests/${DEFAULTS_FOLDER}/${name}`);
    const read = readDefaults(file, name.replace(/\.json$/, ''), await readFile(path.join(defaultsDir, name), 'utf8'));
    if ('diagnostics' in read) unreadable.push({ file, diagnostics: read.diagnostics });
    else defaults.set(name.replace(/\.json$/, ''), read);
  }

  // The request schema with the credit model's categories, as the service validates requests.
  const card = model.status === 'ready' ? model.model.card : model.status === 'mismatch' ? model.card : undefined;
  const validateApplication = new Ajv2020({ allErrors: true, strict: false }).compile(applicationSchemaFor(card));
  const reader: CaseReader = { ruleSet, defaults, defaultsFolder: displayPathOf(rulesDir, `tests/${DEFAULTS_FOLDER}`), validateApplication: (a) => (validateApplication(a) ? [] : (validateApplication.errors ?? [])) };

  const cases: RuleTestCase[] = [];
  const caseFiles = (await readdir(testsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  for (const name of caseFiles) {
    const file = displayPathOf(rulesDir, `tests/${name}`);
    const read = readCase(file, name.replace(/\.json$/, ''), await readFile(path.join(testsDir, name), 'utf8'), reader);
    if ('diagnostics' in read) unreadable.push({ file, diagnostics: read.diagnostics });
    else cases.push(read.testCase);
  }
  return { cases, unreadable };
}

function readDefaults(file: string, product: string, text: string): ProductDefaults | { diagnostics: Diagnostic[] } {
  const parsed = SourceFile.parse(file, text);
  if ('diagnostics' in parsed) return parsed;
  const { source, value } = parsed;
  if (!validateDefaultsFile(value)) return { diagnostics: schemaDiagnostics(source, validateDefaultsFile.errors ?? []) };
  const application = (value as { application: Record<string, unknown> }).application;
  if (application.product !== product) {
    return { diagnostics: [source.diagnostic('PRODUCT_MISMATCH', ['application', 'product'], `product ${JSON.stringify(application.product)} must equal the file name "${product}"`)] };
  }
  return { source, application };
}

interface CaseReader {
  readonly ruleSet: RuleSet;
  readonly defaults: ReadonlyMap<string, ProductDefaults>;
  readonly defaultsFolder: string;
  readonly validateApplication: (application: unknown) => readonly ErrorObject[];
}

function readCase(file: string, name: string, text: string, reader: CaseReader): { testCase: RuleTestCase } | { diagnostics: Diagnostic[] } {
  const parsed = SourceFile.parse(file, text);
  if ('diagnostics' in parsed) return parsed;
  const { source, value } = parsed;
  if (!validateCaseFile(value)) return { diagnostics: schemaDiagnostics(source, validateCaseFile.errors ?? []) };
  const caseFile = value as unknown as CaseFile;
  const { ruleSet } = reader;
  const product = caseFile.application.product;
  const flow = ruleSet.flows.get(product);
  if (!flow) return { diagnostics: [source.diagnostic('MISSING_FILE', ['application', 'product'], `no flow for product "${product}" (products: ${[...ruleSet.flows.keys()].join(', ')})`)] };
  const defaults = reader.defaults.get(product);
  if (!defaults) {
    return { diagnostics: [source.diagnostic('MISSING_FILE', ['application', 'product'], `no default application for "${product}": add ${reader.defaultsFolder}/${product}.json, or fix the problems reported in it`)] };
  }

  const diagnostics: Diagnostic[] = [];
  // The application: defaults, then the id this case is known by, then the case's own fields.
  const application = mergePatch(mergePatch(defaults.application, { applicationId: `CASE-${name}` }), caseFile.application);
  // Each problem is placed where its value was written: in the case, else in the defaults.
  for (const e of reader.validateApplication(application)) {
    const at = ['application', ...pathOf(e.instancePath)];
    const where = !hasPath(caseFile, at) && hasPath({ application: defaults.application }, at) ? defaults.source : source;
    diagnostics.push(...schemaDiagnostics(where, [{ ...e, instancePath: `/application${e.instancePath}` }]));
  }
  const region = (application as Partial<Application>).region;
  const regions = ruleSet.tables.get(REGIONS_TABLE) as RegionsTable;
  if (typeof region === 'string' && !isAcceptedRegion(region, regions)) {
    const where = hasPath(caseFile, ['application', 'region']) ? source : defaults.source;
    diagnostics.push(where.diagnostic('SCHEMA', ['application', 'region'], `unknown region "${region}" (rules/limits/regions.json: ${Object.keys(regions.regions).join(', ')})`));
  }

  const stages = new Set(flow.stages.map((s) => s.name));
  for (const [fact, override] of Object.entries(caseFile.facts ?? {})) diagnostics.push(...factProblems(source, fact, override, stages, product, ruleSet));

  const reasonCodes = ([['reasons', caseFile.expect.reasons], ['absentReasons', caseFile.expect.absentReasons]] as const).flatMap(([key, codes]) =>
    (codes ?? []).map((code, i) => ({ code, at: ['expect', key, i] })),
  );
  for (const { code, at } of reasonCodes) {
    if (!ruleSet.reasons.has(code)) diagnostics.push(source.diagnostic('UNKNOWN_REASON', at, `unknown reason code "${code}" (rules/reasons.json does not declare it)`));
  }
  if (diagnostics.length > 0) return { diagnostics };

  return {
    testCase: {
      file,
      ...(caseFile.description === undefined ? {} : { description: caseFile.description }),
      application: application as Application,
      history: caseFile.history ?? [],
      exposure: caseFile.exposure ?? {},
      // Names, keys and codes checked above; value types by the case schema.
      facts: (caseFile.facts ?? {}) as CaseFacts,
      expect: caseFile.expect,
    },
  };
}

/** What is wrong with one entry of a case's `facts`, against the fact registry and the flow. */
function factProblems(source: SourceFile, fact: string, override: unknown, stages: ReadonlySet<StageName>, product: string, ruleSet: RuleSet): Diagnostic[] {
  const spec = factSpec(fact);
  const settable = Object.entries(FACT_CATALOG).flatMap(([name, s]) => (s.producedBy ? [name] : []));
  if (!spec) return [source.keyDiagnostic('UNKNOWN_FACT', ['facts'], fact, `unknown fact "${fact}" (a case may set: ${settable.join(', ')})`)];
  if (!spec.producedBy) {
    return [source.keyDiagnostic('UNKNOWN_FACT', ['facts'], fact, `"${fact}" is not computed by a stage: give application fields under "application" (a case may set: ${settable.join(', ')})`)];
  }
  if (!stages.has(spec.producedBy)) {
    return [source.keyDiagnostic('FACT_NOT_YET_AVAILABLE', ['facts'], fact, `fact "${fact}" is produced by stage "${spec.producedBy}", which the ${product} flow does not run`)];
  }
  if (!spec.properties || !isPlainObject(override)) return [];
  const problems: Diagnostic[] = [];
  for (const key of Object.keys(override)) {
    if (!spec.properties.includes(key)) {
      problems.push(source.keyDiagnostic('UNKNOWN_FACT_PATH', ['facts', fact], key, `unknown key "${key}" of fact "${fact}" (expected one of ${spec.properties.join(', ')})`));
    }
  }
  // Codes that would reach the decision as they are written: a misspelling must not pass.
  if (fact === 'score' && Array.isArray(override.adverseFactors)) {
    override.adverseFactors.forEach((factor: unknown, i) => {
      const code = isPlainObject(factor) ? factor.code : undefined;
      if (typeof code === 'string' && !ruleSet.reasons.has(code)) {
        problems.push(source.diagnostic('UNKNOWN_REASON', ['facts', 'score', 'adverseFactors', i, 'code'], `unknown reason code "${code}" (rules/reasons.json does not declare it)`));
      }
    });
  }
  if (fact === 'fraud' && Array.isArray(override.clusterFlags)) {
    const flags = (ruleSet.tables.get(CLUSTERS_TABLE) as ClusterConfig).scoring.flags.map((f) => f.flag);
    override.clusterFlags.forEach((flag: unknown, i) => {
      if (typeof flag === 'string' && !flags.includes(flag)) {
        problems.push(source.diagnostic('SCHEMA', ['facts', 'fraud', 'clusterFlags', i], `unknown cluster flag "${flag}" (rules/fraud/clusters.json flags: ${flags.join(', ')})`));
      }
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Running cases
// ---------------------------------------------------------------------------------------------

/**
 * The stage providers with the case's facts laid over what each stage computed, when the stage
 * that produces the fact runs: later stages, and the decision, see them as if computed.
 */
function withCaseFacts(providers: StageProviders, facts: CaseFacts): StageProviders {
  const byStage = new Map<StageName, [string, unknown][]>();
  for (const [name, value] of Object.entries(facts)) {
    const stage = FACT_CATALOG[name as FactName].producedBy;
    if (stage) byStage.set(stage, [...(byStage.get(stage) ?? []), [name, value]]);
  }
  const wrapped: Partial<Record<StageName, StageProvider>> = { ...providers };
  for (const [stage, overrides] of byStage) {
    const provider = providers[stage];
    wrapped[stage] = async (context) => {
      const computed: Record<string, unknown> = { ...(provider ? await provider(context) : {}) };
      for (const [name, value] of overrides) {
        const own = computed[name];
        computed[name] = isPlainObject(own) && isPlainObject(value) ? { ...own, ...value } : value;
      }
      // Names and keys were checked against the fact registry when the case was read.
      return computed as StageFacts;
    };
  }
  return wrapped;
}

/** Every flow and stage budget of a case run: the largest a flow may declare (rules/schema/flow.schema.json). */
export const CASE_BUDGET_MS = 10_000;

/**
 * The rule set with every budget at CASE_BUDGET_MS. A case tests rules, not speed: on a busy
 * machine a stage overrunning its 20-50 ms would fail a case for the load, not for the rules
 * (npm run bench measures time). A stage that errors still falls back, and fails the case.
 */
function withCaseBudgets(ruleSet: RuleSet): RuleSet {
  const flows = new Map([...ruleSet.flows].map(([product, flow]) => [product, { ...flow, budgetMs: CASE_BUDGET_MS, stages: flow.stages.map((s) => ({ ...s, budgetMs: CASE_BUDGET_MS })) }]));
  return { ...ruleSet, flows };
}

/** Decides the case's application as the service would, without storing anything, and checks the expectations. */
export async function runRuleTestCase(testCase: RuleTestCase, deps: RuleTestDeps): Promise<RuleTestResult> {
  const { protector, model } = deps;
  const ruleSet = withCaseBudgets(deps.ruleSet);
  const now = deps.now ?? Date.now();
  const clock = () => now;
  const velocity = new VelocityIndex();
  // Never started, so it never reclusters: its facts are those of a graph with the case's history and no communities.
  const graph = new FraudGraph({ config: () => ruleSet.tables.get(CLUSTERS_TABLE) as ClusterConfig, runner: inlineRunner(), reclusterEvery: 0, reclusterIntervalMs: 0, clock });
  // Earlier applications join the velocity index and the graph as committed decisions do.
  testCase.history.forEach((earlier, i) => {
    const at = now - earlier.minutesAgo * 60_000;
    const identifiers = Object.entries(protector.protect(earlier.identifiers)).map(([type, id]) => ({ type, hash: id.hash, masked: id.masked }));
    for (const id of identifiers) velocity.record({ type: id.type as IdentifierType, hash: id.hash, at });
    // The outcome matters only to a recluster, which never runs here.
    graph.add({ applicationId: `history-${i + 1}`, decidedAt: at, outcome: 'approve', fraudEvidence: false, identifiers });
  });
  const exposure = new ExposureBook();
  for (const [region, amount] of Object.entries(testCase.exposure)) exposure.apply({ region, product: '(earlier approvals)', amount, pd: null }, 1);

  const scoring = { model: () => (model.status === 'ready' ? model.model : undefined), unavailableReason: () => model.detail };
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateApplication({
      application: testCase.application,
      ruleSet,
      protector,
      providers: withCaseFacts(standardProviders({ velocity, exposure, graph, clock, scoring }), testCase.facts),
    });
  } finally {
    await graph.close();
  }

  const { result, approvalLevel } = evaluation;
  const fired = result.stages.flatMap((s) =>
    s.rules.filter((r) => r.fired).map((r): FiredRule => ({ stage: s.stage, rule: r.rule, type: r.event.type, ...(r.event.params?.reason ? { reason: r.event.params.reason } : {}) })),
  );
  const given = result.reasons.map((r) => r.code);
  const { expect } = testCase;
  const failures: string[] = [];
  if (result.outcome !== expect.outcome) failures.push(`outcome: expected ${expect.outcome}, got ${result.outcome}`);
  if (expect.approvalLevel && approvalLevel !== expect.approvalLevel) failures.push(`approvalLevel: expected ${expect.approvalLevel}, got ${approvalLevel}`);
  for (const code of expect.reasons ?? []) if (!given.includes(code)) failures.push(`reason ${code}: expected, not given`);
  for (const code of expect.absentReasons ?? []) if (given.includes(code)) failures.push(`reason ${code}: given, expected absent`);
  for (const stage of result.stages) if (stage.fallback) failures.push(`stage ${stage.stage} fell back (${stage.fallback.cause}: ${stage.fallback.detail ?? ''})`);
  return { testCase, outcome: result.outcome, approvalLevel, reasons: result.reasons, fired, evaluation, failures };
}

/** Which rules of each flow fired in at least one of the results. */
export function ruleCoverage(ruleSet: RuleSet, results: readonly RuleTestResult[]): FlowCoverage[] {
  const fired = new Set(results.flatMap((r) => r.fired.map((f) => `${r.testCase.application.product}/${f.stage}/${f.rule}`)));
  return [...ruleSet.flows.values()]
    .sort((a, b) => (a.product < b.product ? -1 : 1))
    .map((flow) => {
      const rules = flow.stages.flatMap((stage) => stage.rules.map((rule) => ({ stage: stage.name, rule: rule.name })));
      const uncovered = rules.filter((r) => !fired.has(`${flow.product}/${r.stage}/${r.rule}`));
      return { product: flow.product, rules: rules.length, covered: rules.length - uncovered.length, uncovered };
    });
}

/** Reads and runs every case, and measures which rules they cover. */
export async function runRuleTests(rulesDir: string, deps: RuleTestDeps): Promise<RuleTestRun> {
  const { cases, unreadable } = await readRuleTestCases(rulesDir, deps.ruleSet, deps.model);
  const now = deps.now ?? Date.now();
  const results: RuleTestResult[] = [];
  for (const testCase of cases) results.push(await runRuleTestCase(testCase, { ...deps, now }));
  return { cases, unreadable, results, coverage: ruleCoverage(deps.ruleSet, results) };
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

const INDENT = '        ';
/** JSON, but a plain word without its quotes. */
const compact = (value: unknown) => (typeof value === 'string' && /^[^\s"=,]+$/.test(value) ? value : JSON.stringify(value));
const pairs = (facts: object) =>
  Object.entries(facts)
    .map(([k, v]) => `${k}=${compact(v)}`)
    .join(' ');

/** One line for a passing case; for a failing one, why, every rule that fired, the reasons given and the facts per stage. */
export function formatRuleTestResult(result: RuleTestResult): string {
  const { testCase, outcome, approvalLevel, reasons, fired, failures, evaluation } = result;
  const summary = `${outcome} (${approvalLevel}) [${reasons.map((r) => r.code).join(', ')}]`;
  if (failures.length === 0) return `ok    ${testCase.file}  ${summary}\n`;
  const lines = [`FAIL  ${testCase.file}  ${summary}`, ...failures.map((f) => `${INDENT}${f}`)];
  lines.push(`${INDENT}fired rules:`);
  if (fired.length === 0) lines.push(`${INDENT}  (none)`);
  const width = Math.max(0, ...fired.map((f) => f.stage.length + f.rule.length + 1));
  for (const f of fired) lines.push(`${INDENT}  ${`${f.stage}/${f.rule}`.padEnd(width)}  ${f.type.padEnd(7)}  ${f.reason ?? ''}`.trimEnd());
  lines.push(`${INDENT}reasons given:`);
  if (reasons.length === 0) lines.push(`${INDENT}  (none)`);
  for (const r of reasons) lines.push(`${INDENT}  ${r.code} (${r.stage}${r.rule ? `, rule ${r.rule}` : r.code.startsWith('FACTOR_') ? ', adverse factor' : ''})`);
  lines.push(`${INDENT}facts:`, ...formatFacts(testCase, evaluation).map((l) => `${INDENT}  ${l}`));
  return `${lines.join('\n')}\n`;
}

/** The facts the decision used, per stage; identifiers only in their masked form. */
function formatFacts(testCase: RuleTestCase, evaluation: Evaluation): string[] {
  const { facts, stages } = evaluation.result;
  const { product, region, amount, termMonths, applicant } = testCase.application;
  const identifiers = Object.entries(evaluation.identifiers).map(([type, id]) => `${type}=${id.masked}${id.valid ? '' : ' (invalid)'}`);
  const caseFacts = Object.keys(testCase.facts);
  const width = Math.max('application'.length, ...stages.map((s) => s.stage.length));
  const line = (label: string, text: string) => `${label.padEnd(width)}  ${text}`;
  const lines = [
    line('application', pairs({ product, region, amount, termMonths, identifierCount: facts.identifierCount, validIdentifierCount: facts.validIdentifierCount })),
    line('applicant', pairs(applicant)),
    line('identifiers', identifiers.join(', ') || '(none)'),
  ];
  for (const stage of stages) {
    const set = caseFacts.filter((name) => FACT_CATALOG[name as FactName].producedBy === stage.stage);
    const note = set.length > 0 ? `  [case sets ${set.join(', ')}]` : '';
    if (stage.status === 'skipped') lines.push(line(stage.stage, '(skipped)'));
    else if (stage.fallback) lines.push(line(stage.stage, `(fell back: ${stage.fallback.cause}${stage.fallback.detail ? `, ${stage.fallback.detail}` : ''})`));
    else lines.push(line(stage.stage, (pairs(stage.facts) || '(no facts)') + note));
  }
  return lines;
}

export function formatUnreadableCase(unreadable: UnreadableCase): string {
  return `FAIL  ${unreadable.file}\n${unreadable.diagnostics.map((d) => `${INDENT}${formatDiagnostic(d)}\n`).join('')}`;
}

/** `uncovered: <product>/<stage>/<rule>`, one line per rule no case fired. */
export function formatUncoveredRules(coverage: readonly FlowCoverage[]): string {
  return coverage.flatMap((c) => c.uncovered.map((u) => `uncovered: ${c.product}/${u.stage}/${u.rule}\n`)).join('');
}

/** `coverage: <product> <covered>/<rules> rules, …` */
export function formatCoverageSummary(coverage: readonly FlowCoverage[]): string {
  return `coverage: ${coverage.map((c) => `${c.product} ${c.covered}/${c.rules} rules`).join(', ')}\n`;
}

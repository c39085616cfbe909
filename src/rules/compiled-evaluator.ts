// A stage's rules compiled once, at load, to plain closures: no Engine per run, no fact copies,
// no JSONPath, no promises per condition. It returns exactly what JsonRulesEngineEvaluator
// (json-rules-engine 7.3) returns for the same rules and facts — the same results in the same
// order with the same condition trees — and test/rules/compiled-evaluator.test.ts checks that
// against the reference on generated facts. What it cannot mirror exactly it refuses at compile
// time ({ compiled: false, reason }), so that stage keeps the reference evaluator.
//
// json-rules-engine behaviour mirrored here (node_modules/json-rules-engine/dist):
// - rule.js prioritizeAndRun: the children of all/any run in groups of equal priority, highest
//   first; every child of a group is evaluated, and a group whose outcome is already decided is
//   skipped (its conditions carry no result). One child is evaluated alone; no children is true.
// - engine.js: rules run in groups of equal priority, highest first; within a group the results
//   are recorded in the order their promise chains settle. That order depends on how many
//   microtask turns each rule's condition tree takes (deeper trees, paths, fact references and
//   short-circuited groups all change it), so each evaluation counts the turns json-rules-engine
//   would take (`depth`) and orders by it, ties in file order.
// - almanac.js: a fact absent from the run is undefined; a path on a fact that is not an object
//   gives the fact itself; a fact present with the value undefined differs from an absent one
//   only in turns. Operators and decorators are evaluated exactly as operator.js /
//   operator-decorator.js do (validators first, raw operator results kept), errors included.
import { JsonRulesEngineEvaluator, type CustomOperator } from './evaluator';
import type { Facts, RuleDefinition, RuleResult, StageEvaluator } from './ruleset';

type Op = (factValue: unknown, jsonValue: unknown) => unknown;

export type CompileStageResult = { readonly evaluator: StageEvaluator; readonly compiled: true } | { readonly compiled: false; readonly reason: string };

// ---------------------------------------------------------------------------------------------
// Operators: engine-default-operators.js, operator.js (evaluate = validator(fv) && cb(fv, jv)).

function numberValidator(factValue: unknown): boolean {
  return Number.parseFloat(factValue as string).toString() !== 'NaN';
}

const indexOf = (haystack: unknown, needle: unknown): number => (haystack as { indexOf(x: unknown): number }).indexOf(needle);

const BUILT_IN_OPERATORS: ReadonlyArray<readonly [string, Op]> = [
  ['equal', (a, b) => a === b],
  ['notEqual', (a, b) => a !== b],
  ['in', (a, b) => indexOf(b, a) > -1],
  ['notIn', (a, b) => indexOf(b, a) === -1],
  ['contains', (a, b) => Array.isArray(a) && indexOf(a, b) > -1],
  ['doesNotContain', (a, b) => Array.isArray(a) && indexOf(a, b) === -1],
  ['lessThan', (a, b) => numberValidator(a) && (a as number) < (b as number)],
  ['lessThanInclusive', (a, b) => numberValidator(a) && (a as number) <= (b as number)],
  ['greaterThan', (a, b) => numberValidator(a) && (a as number) > (b as number)],
  ['greaterThanInclusive', (a, b) => numberValidator(a) && (a as number) >= (b as number)],
];

type ArrayLike = { some(f: (x: unknown) => unknown): boolean; every(f: (x: unknown) => unknown): boolean };

/** engine-default-operator-decorators.js, each with its fact-value validator. */
const DECORATORS: ReadonlyMap<string, (next: Op) => Op> = new Map<string, (next: Op) => Op>([
  ['someFact', (next) => (fv, jv) => Array.isArray(fv) && fv.some((x) => next(x, jv))],
  ['someValue', (next) => (fv, jv) => (jv as ArrayLike).some((x) => next(fv, x))],
  ['everyFact', (next) => (fv, jv) => Array.isArray(fv) && fv.every((x) => next(x, jv))],
  ['everyValue', (next) => (fv, jv) => (jv as ArrayLike).every((x) => next(fv, x))],
  ['swap', (next) => (fv, jv) => next(jv, fv)],
  ['not', (next) => (fv, jv) => !next(fv, jv)],
]);

/** operator-map.js get(): "not:someFact:equal" is not(someFact(equal)); undefined if unknown. */
function resolveOperator(name: string, operators: ReadonlyMap<string, Op>): Op | undefined {
  const decorators: ((next: Op) => Op)[] = [];
  let opName = name;
  while (!operators.has(opName)) {
    const i = opName.indexOf(':');
    if (i <= 0) return undefined;
    const decorator = DECORATORS.get(opName.slice(0, i));
    if (!decorator) return undefined;
    decorators.unshift(decorator);
    opName = opName.slice(i + 1);
  }
  let op = operators.get(opName) as Op;
  for (const decorate of decorators) op = decorate(op);
  return op;
}

// ---------------------------------------------------------------------------------------------
// Compiled condition trees.

interface FactRef {
  readonly fact: string;
  /** Path keys ($.a.b → ['a', 'b']), or undefined when the condition has no (truthy) path. */
  readonly keys: readonly string[] | undefined;
}

interface FactNode {
  readonly kind: 'fact';
  /** Its priority among siblings (condition.priority, else the fact's: always 1 here). */
  readonly group: number;
  readonly lhs: FactRef;
  /** A constant right-hand side, or a reference to another fact. */
  readonly rhs: { readonly constant: unknown } | { readonly ref: FactRef };
  readonly op: Op;
  readonly json: FactJson;
  /** Its JSON when json-rules-engine did not evaluate it. */
  readonly idle: unknown;
}

interface FactJson {
  readonly priority: unknown;
  readonly name: unknown;
  readonly operator: string;
  readonly value: unknown;
  readonly fact: string;
  readonly params: unknown;
  readonly path: unknown;
}

interface BoolNode {
  readonly kind: 'all' | 'any' | 'not';
  readonly group: number;
  readonly name: unknown;
  readonly children: readonly Node[];
  /** all/any with two or more children: child indexes by priority group, highest first. */
  readonly groups: readonly (readonly number[])[];
  readonly idle: unknown;
}

type Node = FactNode | BoolNode;

interface CompiledRule {
  readonly name: unknown;
  readonly priority: number;
  readonly event: unknown;
  readonly root: BoolNode;
}

class Unsupported extends Error {}

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A private, frozen copy of rule data (values, events, names): results share it across runs. */
function frozenCopy(value: unknown, at: string): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new Unsupported(`${at}: a ${typeof value} is not rule data`);
    return value;
  }
  if (Array.isArray(value)) return Object.freeze(value.map((v, i) => frozenCopy(v, `${at}[${i}]`)));
  if (!isPlainObject(value)) throw new Unsupported(`${at}: only plain objects and arrays are rule data`);
  // The reference clones rule data with its prototype (a null-prototype object stays one).
  const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) out[key] = frozenCopy(value[key], `${at}.${key}`);
  return Object.freeze(out);
}

const BOOLEAN_KEYS = ['any', 'all', 'not'] as const;
/** Keys whose presence changes what json-rules-engine does in ways not mirrored here. */
const REFUSED_KEYS = ['condition', 'result', 'factResult', 'valueResult'];

function pathKeys(path: unknown, at: string): readonly string[] | undefined {
  if (path === undefined || path === '') return undefined;
  if (typeof path !== 'string') throw new Unsupported(`${at}: path must be a string`);
  // The reference's pathResolver (evaluator.ts resolvePath): a property walk over "$.a.b".
  return Object.freeze(path.slice(2).split('.'));
}

class Compiler {
  constructor(private readonly operators: ReadonlyMap<string, Op>) {}

  condition(c: unknown, at: string): Node {
    if (!isPlainObject(c)) throw new Unsupported(`${at}: a condition must be an object`);
    for (const key of REFUSED_KEYS) if (hasOwn(c, key)) throw new Unsupported(`${at}: "${key}" is not supported`);
    const booleans = BOOLEAN_KEYS.filter((k) => hasOwn(c, k));
    if (booleans.length > 1) throw new Unsupported(`${at}: more than one of all/any/not`);
    return booleans.length === 1 ? this.boolean(c, booleans[0] as 'all' | 'any' | 'not', at) : this.fact(c, at);
  }

  private boolean(c: Record<string, unknown>, kind: 'all' | 'any' | 'not', at: string): BoolNode {
    for (const key of ['fact', 'operator', 'value', 'path', 'params']) {
      if (hasOwn(c, key)) throw new Unsupported(`${at}: "${key}" beside "${kind}"`);
    }
    // condition.js: boolean conditions always have a priority, parseInt(priority) || 1.
    const group = Number.parseInt(c.priority as string, 10) || 1;
    const name = frozenCopy(c.name, `${at}.name`);
    const sub = c[kind];
    let children: Node[];
    if (kind === 'not') {
      if (Array.isArray(sub)) throw new Unsupported(`${at}: "not" cannot be an array`);
      children = [this.condition(sub, `${at}.not`)];
    } else {
      if (!Array.isArray(sub)) throw new Unsupported(`${at}: "${kind}" must be an array`);
      children = sub.map((s, i) => this.condition(s, `${at}.${kind}[${i}]`));
    }
    // rule.js prioritizeConditions: groups by priority, highest first, file order within a group.
    const byPriority = new Map<number, number[]>();
    children.forEach((child, i) => {
      const list = byPriority.get(child.group);
      if (list) list.push(i);
      else byPriority.set(child.group, [i]);
    });
    const groups = [...byPriority.entries()].sort((a, b) => b[0] - a[0]).map(([, list]) => Object.freeze(list));
    const idleChildren = children.map((ch) => ch.idle);
    const idle = boolJson(group, name, kind, kind === 'not' ? idleChildren[0] : Object.freeze(idleChildren));
    return { kind, group, name, children, groups, idle: Object.freeze(idle) };
  }

  private fact(c: Record<string, unknown>, at: string): FactNode {
    for (const key of ['fact', 'operator', 'value']) if (!hasOwn(c, key)) throw new Unsupported(`${at}: "${key}" is required`);
    if (typeof c.fact !== 'string' || c.fact === '') throw new Unsupported(`${at}: fact must be a non-empty string`);
    if (typeof c.operator !== 'string') throw new Unsupported(`${at}: operator must be a string`);
    const op = resolveOperator(c.operator, this.operators);
    if (!op) throw new Unsupported(`${at}: unknown operator "${c.operator}"`);
    let group = 1;
    if (hasOwn(c, 'priority')) {
      // condition.js keeps the raw priority but rewrites the definition's to parseInt(priority):
      // only integers read the same before and after.
      if (typeof c.priority !== 'number' || !Number.isInteger(c.priority)) throw new Unsupported(`${at}: priority must be an integer`);
      group = c.priority || 1;
    }
    const lhs: FactRef = { fact: c.fact, keys: pathKeys(c.path, `${at}.path`) };
    const value = frozenCopy(c.value, `${at}.value`);
    let rhs: FactNode['rhs'] = { constant: value };
    if (value !== null && typeof value === 'object' && hasOwn(value, 'fact')) {
      const ref = value as { fact: unknown; path?: unknown };
      if (typeof ref.fact !== 'string' || ref.fact === '') throw new Unsupported(`${at}.value: a fact reference names its fact with a non-empty string`);
      rhs = { ref: { fact: ref.fact, keys: pathKeys(ref.path, `${at}.value.path`) } };
    }
    const json: FactJson = {
      priority: c.priority,
      name: frozenCopy(c.name, `${at}.name`),
      operator: c.operator,
      value,
      fact: c.fact,
      params: frozenCopy(c.params, `${at}.params`),
      path: c.path,
    };
    const idle = Object.freeze(factJson(json, undefined, undefined, undefined));
    return { kind: 'fact', group, lhs, rhs, op, json, idle };
  }
}

/** condition.js toJSON for a boolean condition (priority, name, then the operator's children). */
function boolJson(priority: number, name: unknown, kind: string, children: unknown): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (priority) props.priority = priority;
  if (name) props.name = name;
  props[kind] = children;
  return props;
}

/** condition.js toJSON for a fact condition, key order included. */
function factJson(j: FactJson, factResult: unknown, valueResult: unknown, result: unknown): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (j.priority) props.priority = j.priority;
  if (j.name) props.name = j.name;
  props.operator = j.operator;
  props.value = j.value;
  props.fact = j.fact;
  if (factResult !== undefined) props.factResult = factResult;
  if (valueResult !== undefined) props.valueResult = valueResult;
  if (result !== undefined) props.result = result;
  if (j.params) props.params = j.params;
  if (j.path) props.path = j.path;
  return props;
}

// ---------------------------------------------------------------------------------------------
// Evaluation. Each evaluation returns its JSON and leaves two values here: the raw result
// json-rules-engine's promise would resolve with, and the microtask turns it would take.
// Evaluation is synchronous and these are read right after each call, so sharing is safe.

let lastResult: unknown;
let lastDepth = 0;

/** A fact value json-rules-engine would treat differently (a function is a dynamic fact; a thenable is awaited). */
class NeedsReference extends Error {}
const NEEDS_REFERENCE = new NeedsReference('fact value not plain data');

const isEnumerable = Object.prototype.propertyIsEnumerable;

function checkPlain(v: unknown): void {
  if (typeof v === 'function' || (v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function')) throw NEEDS_REFERENCE;
}

/** almanac.js factValue with the reference's path resolver; sets lastDepth to its turns (0 or 1). */
function factValue(facts: Facts, ref: FactRef): unknown {
  // engine.run({ ...facts }) makes a fact of each own enumerable property.
  if (!isEnumerable.call(facts, ref.fact)) {
    lastDepth = 0;
    return undefined;
  }
  let value = (facts as Record<string, unknown>)[ref.fact];
  checkPlain(value);
  const keys = ref.keys;
  if (keys === undefined) {
    lastDepth = 0;
    return value;
  }
  lastDepth = 1;
  if (value != null && typeof value === 'object') {
    let current: unknown = value;
    for (let i = 0; i < keys.length; i++) {
      if (current === null || typeof current !== 'object') {
        current = undefined;
        break;
      }
      current = (current as Record<string, unknown>)[keys[i] as string];
    }
    checkPlain(current);
    value = current;
  }
  return value;
}

function evalFact(node: FactNode, facts: Facts): unknown {
  const factResult = factValue(facts, node.lhs);
  const lhsDepth = lastDepth;
  let valueResult: unknown;
  let rhsDepth = 0;
  if ('ref' in node.rhs) {
    valueResult = factValue(facts, node.rhs.ref);
    rhsDepth = lastDepth;
  } else {
    valueResult = node.rhs.constant;
  }
  const result = node.op(factResult, valueResult);
  // Promise.all([value, fact]) (+1), condition.evaluate's then (+1), evaluateCondition's then (+1).
  lastDepth = (lhsDepth > rhsDepth ? lhsDepth : rhsDepth) + 3;
  lastResult = result;
  return factJson(node.json, factResult, valueResult, result);
}

function evalNode(node: Node, facts: Facts): unknown {
  return node.kind === 'fact' ? evalFact(node, facts) : evalBool(node, facts);
}

/** evaluateCondition on a boolean condition: its comparison, then `result === true` (+1 turn). */
function evalBool(node: BoolNode, facts: Facts): unknown {
  let children: unknown;
  let passes: boolean;
  if (node.kind === 'not') {
    children = evalNode(node.children[0] as Node, facts);
    passes = !lastResult;
    lastDepth += 2; // not()'s then, evaluateCondition's then
  } else {
    children = runGroups(node, facts);
    passes = lastResult === true;
    lastDepth += 1;
  }
  lastResult = passes;
  return boolJson(node.group, node.name, node.kind, children);
}

/** rule.js prioritizeAndRun for all/any: the children's JSON; lastResult/lastDepth its promise's. */
function runGroups(node: BoolNode, facts: Facts): unknown[] {
  const children = node.children;
  const n = children.length;
  if (n === 0) {
    lastResult = true;
    lastDepth = 0;
    return [];
  }
  if (n === 1) return [evalNode(children[0] as Node, facts)];
  const out: unknown[] = new Array(n);
  const isAll = node.kind === 'all';
  let current = isAll;
  let depth = 0;
  for (const group of node.groups) {
    if (isAll ? !current : current) {
      // Decided: the cursor passes the previous result on (+1); these stay unevaluated.
      for (let k = 0; k < group.length; k++) {
        const i = group[k] as number;
        out[i] = (children[i] as Node).idle;
      }
      depth += 1;
      continue;
    }
    let maxDepth = 0;
    let every = true;
    let some = false;
    for (let k = 0; k < group.length; k++) {
      const i = group[k] as number;
      out[i] = evalNode(children[i] as Node, facts);
      if (lastResult === true) some = true;
      else every = false;
      if (lastDepth > maxDepth) maxDepth = lastDepth;
    }
    current = isAll ? every : some;
    // Promise.all (+1), its every/some then (+1), adopting that promise in the cursor (+2).
    depth += maxDepth + 4;
  }
  lastResult = current;
  lastDepth = depth;
  return out;
}

class CompiledStageEvaluator implements StageEvaluator {
  /** Rule indexes by priority group, highest first (engine.js prioritizeRules). */
  private readonly ruleGroups: readonly (readonly number[])[];
  // Scratch, reused by every run (evaluation is synchronous).
  private readonly jsons: unknown[];
  private readonly fired: boolean[];
  private readonly depths: Int32Array;
  private readonly order: Int32Array;
  private reference: JsonRulesEngineEvaluator | undefined;

  constructor(
    private readonly rules: readonly CompiledRule[],
    private readonly definitions: readonly RuleDefinition[],
    private readonly operators: readonly CustomOperator[],
  ) {
    const byPriority = new Map<number, number[]>();
    rules.forEach((rule, i) => {
      const list = byPriority.get(rule.priority);
      if (list) list.push(i);
      else byPriority.set(rule.priority, [i]);
    });
    this.ruleGroups = [...byPriority.entries()].sort((a, b) => b[0] - a[0]).map(([, list]) => list);
    this.jsons = new Array(rules.length);
    this.fired = new Array(rules.length).fill(false);
    this.depths = new Int32Array(rules.length);
    this.order = new Int32Array(rules.length);
  }

  async evaluate(facts: Facts): Promise<RuleResult[]> {
    const rules = this.rules;
    if (rules.length === 0) return [];
    // engine.run: new Fact('') throws "factId required".
    if (isEnumerable.call(facts, '')) throw new Error('factId required');
    try {
      return this.run(facts);
    } catch (err) {
      if (err !== NEEDS_REFERENCE) throw err;
      this.reference ??= new JsonRulesEngineEvaluator(this.definitions, this.operators);
      return this.reference.evaluate(facts);
    }
  }

  private run(facts: Facts): RuleResult[] {
    const rules = this.rules;
    const { jsons, fired, depths, order } = this;
    let n = 0;
    for (const group of this.ruleGroups) {
      const start = n;
      for (const i of group) {
        const root = (rules[i] as CompiledRule).root;
        let children: unknown;
        if (root.kind === 'not') {
          children = evalNode(root.children[0] as Node, facts);
          lastResult = !lastResult;
          lastDepth += 1;
        } else {
          children = runGroups(root, facts);
        }
        jsons[i] = boolJson(root.group, root.name, root.kind, children);
        fired[i] = Boolean(lastResult);
        depths[i] = lastDepth;
        // Insertion by settle turn, ties in file order (stable).
        let k = n++;
        while (k > start && (depths[order[k - 1] as number] as number) > lastDepth) {
          order[k] = order[k - 1] as number;
          k--;
        }
        order[k] = i;
      }
    }
    const results: RuleResult[] = [];
    for (let pass = 0; pass < 2; pass++) {
      const wanted = pass === 0;
      for (let k = 0; k < n; k++) {
        const i = order[k] as number;
        if (fired[i] !== wanted) continue;
        const rule = rules[i] as CompiledRule;
        results.push({ rule: rule.name as string, priority: rule.priority, fired: wanted, event: rule.event as RuleResult['event'], conditions: jsons[i] });
        jsons[i] = undefined;
      }
    }
    return results;
  }
}

/**
 * Compiles a stage's rules to closures, or says why not (the stage then keeps the reference
 * evaluator). Refused: condition references, unknown operators or decorators, non-integer
 * condition priorities, paths that are not strings, anything that is not plain JSON data, and
 * definitions json-rules-engine itself rejects.
 */
export function compileStageEvaluator(rules: readonly RuleDefinition[], operators: readonly CustomOperator[]): CompileStageResult {
  const ops = new Map<string, Op>(BUILT_IN_OPERATORS);
  // engine.addOperator(name, cb): no validator, so evaluate is `true && cb(fv, jv)`.
  for (const op of operators) {
    const cb = op.evaluate;
    ops.set(op.name, (fv, jv) => cb(fv, jv));
  }
  const compiler = new Compiler(ops);
  const compiled: CompiledRule[] = [];
  try {
    rules.forEach((rule, ri) => {
      const at = `rules[${ri}]`;
      if (!isPlainObject(rule)) throw new Unsupported(`${at}: a rule must be an object`);
      // rule.js: priority = parseInt(options.priority || 1); evaluator.ts passes rule.priority ?? 1.
      const priority = Number.parseInt(((rule.priority ?? 1) || 1) as unknown as string, 10);
      if (!(priority > 0)) throw new Unsupported(`${at}: priority must be a positive number`);
      const name = rule.name || (rule.name as unknown) === 0 ? rule.name : undefined;
      const event = rule.event as unknown;
      if (!isPlainObject(event) || !hasOwn(event, 'type')) throw new Unsupported(`${at}.event: an event with a type is required`);
      // rule.js setEvent keeps only type and (truthy) params.
      const ruleEvent = frozenCopy(event.params ? { type: event.type, params: event.params } : { type: event.type }, `${at}.event`);
      const conditions = rule.conditions;
      if (!isPlainObject(conditions) || !BOOLEAN_KEYS.some((k) => hasOwn(conditions, k))) {
        throw new Unsupported(`${at}.conditions: the root must be all, any or not`);
      }
      const root = compiler.condition(conditions, `${at}.conditions`) as BoolNode;
      compiled.push({ name: frozenCopy(name, `${at}.name`), priority, event: ruleEvent, root });
    });
  } catch (err) {
    if (err instanceof Unsupported) return { compiled: false, reason: err.message };
    throw err;
  }
  return { compiled: true, evaluator: new CompiledStageEvaluator(compiled, rules, operators) };
}

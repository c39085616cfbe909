// Type-checks one fact comparison of a rule — { fact, path?, operator, value } — against the value
// types the fact registry declares (src/rules/facts.ts), so that an edit whose condition can never
// hold ("abc" for amount lessThan, "gold" for a grade, lessThan on a string) is rejected at load
// instead of silently never firing. Pure. FlowChecker (compile.ts) calls checkComparison for every
// rule condition; anything else that compiles to such conditions (decision tables) calls it too,
// and places the problems with its own JSON paths.
import type { DiagnosticCode, JsonPath } from './diagnostics';
import { VALUE_DOMAINS, factSpec, type EnumType, type ValueDomain, type ValueType } from './facts';
import { CLUSTERS_TABLE } from '../graph/config';
import type { IdentifierType } from '../identity/identifiers';
import { GRADES_TABLE } from '../scoring/tables';

/** One leaf of a rule's conditions, as json-rules-engine reads it. */
export interface Comparison {
  readonly fact: string;
  readonly path?: string | undefined;
  readonly operator: string;
  readonly value: unknown;
}

/** The property of the comparison a problem is about (where a diagnostic points). */
export type ComparisonPart = 'path' | 'operator' | 'value';

export interface ComparisonProblem {
  readonly code: DiagnosticCode;
  readonly part: ComparisonPart;
  /** Where inside that property: [2] for a value list's third element, ['path'] for a value reference's path. */
  readonly at: JsonPath;
  readonly message: string;
}

/** A JSON Schema fragment, as far as it bounds a fact: type, enum, bounds, nested properties. */
export interface SchemaFragment {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly properties?: { readonly [key: string]: SchemaFragment };
}

/** What a check knows beyond the registry: the rule set it belongs to and the request schema. */
export interface ComparisonContext {
  /** The values of each rule-set domain (grades, reason codes, cluster flags) as loaded; a domain left out is checked as a plain string. */
  readonly domains?: Readonly<Partial<Record<ValueDomain, readonly string[]>>>;
  /**
   * The POST /decide JSON Schema (decision/application.ts buildApplicationSchema): narrows the
   * facts the request carries (FactSpec.fromRequest) to its categories and bounds.
   */
  readonly applicationSchema?: SchemaFragment;
  /** The identifier lists by name, for inList / notInList; left out, the list is not looked up. */
  readonly lists?: ReadonlyMap<string, { readonly identifierType: IdentifierType }>;
}

// ---------------------------------------------------------------------------------------------
// Operators, as json-rules-engine parses them: decorators, then the operator ("not:someFact:equal").

const OPERATORS = {
  equal: 'equality',
  notEqual: 'equality',
  in: 'membership',
  notIn: 'membership',
  contains: 'containment',
  doesNotContain: 'containment',
  lessThan: 'order',
  lessThanInclusive: 'order',
  greaterThan: 'order',
  greaterThanInclusive: 'order',
  // The engine's own operators for identifier lists (compile.ts registers them).
  inList: 'list',
  notInList: 'list',
} as const;
type OperatorName = keyof typeof OPERATORS;
const DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'] as const;
type Decorator = (typeof DECORATORS)[number];

const isOperator = (name: string): name is OperatorName => Object.hasOwn(OPERATORS, name);
const isDecorator = (name: string): name is Decorator => DECORATORS.some((d) => d === name);

const OPERATOR_NAMES: readonly OperatorName[] = Object.keys(OPERATORS).filter(isOperator);
export const BUILTIN_OPERATORS: readonly string[] = OPERATOR_NAMES.filter((o) => OPERATORS[o] !== 'list');
export const LIST_OPERATORS: readonly string[] = OPERATOR_NAMES.filter((o) => OPERATORS[o] === 'list');
export const OPERATOR_DECORATORS: readonly string[] = DECORATORS;

/** "not:someFact:equal" → decorators ['not', 'someFact'] (outermost first) and operator 'equal'; undefined if any part is unknown. */
export function parseOperator(operator: string): { readonly decorators: readonly Decorator[]; readonly operator: OperatorName } | undefined {
  const parts = operator.split(':');
  const base = parts[parts.length - 1] ?? '';
  const decorators = parts.slice(0, -1);
  if (!isOperator(base) || !decorators.every(isDecorator)) return undefined;
  return { decorators: decorators.filter(isDecorator), operator: base };
}

// ---------------------------------------------------------------------------------------------
// Describing types and values in messages.

const MAX_LISTED = 12;

function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_LISTED).map((v) => JSON.stringify(v));
  return values.length > MAX_LISTED ? `${shown.join(', ')}, … (${values.length} in all)` : shown.join(', ');
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** "a string", "a number", "a list", … */
function kindOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** 1000000000 as 1,000,000,000; fractions as they are. */
const figure = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n));

function range(t: { readonly integer?: boolean; readonly min?: number; readonly max?: number }): string {
  const what = t.integer ? 'a whole number' : 'a number';
  if (t.min !== undefined && t.max !== undefined) return `${what} from ${figure(t.min)} to ${figure(t.max)}`;
  if (t.min !== undefined) return `${what} of at least ${figure(t.min)}`;
  if (t.max !== undefined) return `${what} of at most ${figure(t.max)}`;
  return what;
}

/** A type as a phrase: "a number from 0 to 1", "one of \"A\", \"B\"", "a list of reason codes". */
export function describeType(type: ValueType): string {
  const base = ((): string => {
    switch (type.kind) {
      case 'number':
        return range(type);
      case 'string':
        return type.domain ? `a ${VALUE_DOMAINS[type.domain].noun} (${VALUE_DOMAINS[type.domain].source})` : 'a string';
      case 'enum':
        return type.domain ? `a ${VALUE_DOMAINS[type.domain].noun}: one of ${listed(type.values)}` : `one of ${listed(type.values)}`;
      case 'boolean':
        return 'true or false';
      case 'hash':
        return `a keyed hash of the ${type.identifierType}`;
      case 'list':
        return `a list of ${plural(type.items)}`;
      case 'object':
        return `an object (${Object.keys(type.properties).join(', ')})`;
    }
  })();
  return type.nullable ? `${base}, or null` : base;
}

function plural(type: ValueType): string {
  switch (type.kind) {
    case 'number':
      return type.integer ? 'whole numbers' : 'numbers';
    case 'string':
    case 'enum':
      return type.domain ? `${VALUE_DOMAINS[type.domain].noun}s` : 'strings';
    case 'boolean':
      return 'booleans';
    case 'hash':
      return 'hashes';
    case 'list':
      return 'lists';
    case 'object':
      return `objects (${Object.keys(type.properties).join(', ')})`;
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** The allowed value a misspelling most likely meant, if one is close. */
function nearest(value: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = distance(value.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Short codes ("E", "L4") are only a case slip away from what they meant, never a letter away.
  const tolerance = value.length >= 3 ? Math.max(1, Math.floor(value.length / 3)) : 0;
  return best !== undefined && bestDistance <= tolerance ? best : undefined;
}

// ---------------------------------------------------------------------------------------------
// Resolving a fact and path to its type.

/** A rule-set domain as the enum it is in this context; left as a string where the context does not give it. */
function resolved(type: ValueType, context: ComparisonContext): ValueType {
  if (type.kind !== 'string' || !type.domain) return type;
  const values = context.domains?.[type.domain];
  if (!values) return type;
  const enumType: EnumType = { kind: 'enum', values, domain: type.domain, ...(type.nullable ? { nullable: true } : {}) };
  return enumType;
}

/** A declared type narrowed by the request schema's fragment for the same field. */
function narrowed(type: ValueType, schema: SchemaFragment | undefined): ValueType {
  if (!schema) return type;
  if (type.kind === 'number' && (schema.type === 'integer' || schema.type === 'number')) {
    // An exclusive bound is taken as inclusive: comparing with the bound itself (amount > 0) is a sound rule.
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    return {
      ...type,
      ...(schema.type === 'integer' ? { integer: true } : {}),
      ...(min !== undefined && (type.min === undefined || min > type.min) ? { min } : {}),
      ...(max !== undefined && (type.max === undefined || max < type.max) ? { max } : {}),
    };
  }
  const values = schema.enum;
  if (type.kind === 'string' && values && values.every((v): v is string => typeof v === 'string')) {
    const enumType: EnumType = { kind: 'enum', values, ...(type.description ? { description: type.description } : {}), ...(type.nullable ? { nullable: true } : {}) };
    return enumType;
  }
  const properties = schema.properties;
  if (type.kind === 'object' && properties) {
    return { ...type, properties: Object.fromEntries(Object.entries(type.properties).map(([key, t]) => [key, narrowed(t, properties[key])])) };
  }
  return type;
}

/** A fact's type in this context (narrowed by the request schema where the request carries it); undefined for a name that is no fact. */
export function factType(fact: string, context: ComparisonContext = {}): ValueType | undefined {
  const spec = factSpec(fact);
  if (!spec) return undefined;
  return spec.fromRequest ? narrowed(spec.type, context.applicationSchema?.properties?.[fact]) : spec.type;
}

export type Resolution =
  | { readonly ok: true; readonly type: ValueType; readonly label: string }
  | { readonly ok: false; readonly message: string }
  /** A fact the registry does not declare (one a rule's event sets): nothing is known of its type. */
  | { readonly ok: 'untyped' };

/** `fact "applicant" $.age` */
const labelOf = (fact: string, path: string | undefined) => (path === undefined ? `fact "${fact}"` : `fact "${fact}" ${path}`);

/** The type of a fact, or of the value a path names inside it, in this context. */
export function resolveFact(fact: string, path: string | undefined, context: ComparisonContext = {}): Resolution {
  let type = factType(fact, context);
  if (!type) return { ok: 'untyped' };
  if (path !== undefined) {
    if (type.kind !== 'object') return { ok: false, message: `fact "${fact}" is not an object; remove "path"` };
    if (!path.startsWith('$.')) return { ok: false, message: `path "${path}" must be $. followed by a key of fact "${fact}" (${Object.keys(type.properties).join(', ')})` };
    let walked = '$';
    for (const key of path.slice(2).split('.')) {
      if (type.kind !== 'object') {
        return { ok: false, message: `unknown path "${path}" for fact "${fact}": ${walked} is ${describeType(type)}, with nothing inside it to name` };
      }
      const next: ValueType | undefined = Object.hasOwn(type.properties, key) ? type.properties[key] : undefined;
      if (!next) {
        const keys = Object.keys(type.properties);
        const guess = nearest(key, keys);
        return {
          ok: false,
          message: `unknown path "${path}" for fact "${fact}" (expected ${walked}. followed by one of ${keys.join(', ')})${guess ? `; did you mean "${walked}.${guess}"?` : ''}`,
        };
      }
      type = next;
      walked = `${walked}.${key}`;
    }
  }
  return { ok: true, type: resolved(type, context), label: labelOf(fact, path) };
}

// ---------------------------------------------------------------------------------------------
// Whether a value conforms to a type.

/**
 * Why a value is not of the type (as a clause after "value … "), or undefined when it is. A hash
 * is a string here; `equalityProblem` is what rejects comparing one with a literal.
 */
function mismatch(value: unknown, type: ValueType, name: string): string | undefined {
  if (value === null) return type.nullable ? undefined : `null, but ${name} is never null (it is ${describeType(type)})`;
  const kindClause = (expected: string, hint = '') => `${show(value)} is ${kindOfValue(value)} but ${name} is ${expected}${hint}`;
  switch (type.kind) {
    case 'number': {
      if (typeof value !== 'number') {
        const hint = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? `; did you mean ${Number(value)}, without quotes?` : '';
        return kindClause(describeType(type), hint);
      }
      if (type.integer && !Number.isInteger(value)) return `${show(value)} is not a whole number but ${name} is ${describeType(type)}`;
      if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) return `${show(value)} is outside the range of ${name}: ${describeType(type)}`;
      return undefined;
    }
    case 'string':
    case 'hash':
      return typeof value === 'string' ? undefined : kindClause(describeType(type));
    case 'enum': {
      if (typeof value !== 'string') {
        const hint = (typeof value === 'number' || typeof value === 'boolean') && type.values.includes(String(value)) ? `; did you mean "${String(value)}"?` : '';
        return kindClause(`a string, ${describeType(type)}`, hint);
      }
      if (type.values.includes(value)) return undefined;
      const guess = nearest(value, type.values);
      const which = type.domain ? `, the ${VALUE_DOMAINS[type.domain].noun}s in ${VALUE_DOMAINS[type.domain].source}` : '';
      return `${show(value)} is not one of the values of ${name}${which}: ${listed(type.values)}${guess ? `; did you mean "${guess}"?` : ''}`;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return undefined;
      const hint = value === 'true' || value === 'false' ? `; did you mean ${value}, without quotes?` : '';
      return kindClause('true or false', hint);
    }
    case 'list':
      return Array.isArray(value) ? undefined : kindClause(describeType(type));
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? undefined : kindClause(describeType(type));
  }
}

/**
 * Every way a value (a fact a stage produced, say) departs from its type, each with the JSON path
 * inside the value: [] when it conforms. Object keys the type does not declare are departures too.
 */
export function conformanceProblems(value: unknown, type: ValueType, context: ComparisonContext = {}, at: JsonPath = []): { readonly at: JsonPath; readonly message: string }[] {
  const t = resolved(type, context);
  const name = at.length === 0 ? 'the fact' : `$.${at.join('.')}`;
  const problem = mismatch(value, t, name);
  if (problem) return [{ at, message: `value ${problem}` }];
  if (value === null) return [];
  if (t.kind === 'list' && Array.isArray(value)) return value.flatMap((item, i) => conformanceProblems(item, t.items, context, [...at, i]));
  if (t.kind === 'object' && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) => {
      const property = Object.hasOwn(t.properties, key) ? t.properties[key] : undefined;
      return property ? conformanceProblems(v, property, context, [...at, key]) : [{ at: [...at, key], message: `key "${key}" is not declared (declared: ${Object.keys(t.properties).join(', ')})` }];
    });
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// The comparison.

/**
 * One side of the comparison: a typed fact — the rule's own, or a value reference — literal
 * values, or a fact of unknown type (nothing is checked against it).
 */
type Operand = TypedOperand | LiteralOperand | { readonly kind: 'untyped' };
interface TypedOperand {
  readonly kind: 'typed';
  readonly type: ValueType;
  readonly name: string;
  readonly origin: 'fact' | 'reference';
  /** An item of a list fact (someFact:, contains): no path reaches inside it. */
  readonly item?: true;
}
interface LiteralOperand {
  readonly kind: 'literal';
  readonly items: readonly { readonly value: unknown; readonly at: JsonPath }[];
}

interface Check {
  readonly operator: string;
  readonly context: ComparisonContext;
  readonly problems: ComparisonProblem[];
}

/** `{ "fact": …, "path"?: … }` as a value: json-rules-engine compares with that fact instead of a literal. */
const isReference = (value: unknown): value is { readonly fact: string; readonly path?: unknown } =>
  typeof value === 'object' && value !== null && 'fact' in value && typeof value.fact === 'string';

/**
 * A typed side that does not suit the operator: for the rule's own fact the operator is what to
 * change (the fact is what the rule is about); for a value reference, the value.
 */
function reportTyped(check: Check, operand: TypedOperand, message: string): undefined {
  check.problems.push(
    operand.origin === 'fact'
      ? { code: 'OPERATOR_MISMATCH', part: 'operator', at: [], message }
      : { code: 'TYPE_MISMATCH', part: 'value', at: [], message },
  );
  return undefined;
}

function reportValue(check: Check, at: JsonPath, message: string, code: DiagnosticCode = 'TYPE_MISMATCH'): undefined {
  check.problems.push({ code, part: 'value', at, message });
  return undefined;
}

/** The items of a list operand (for someFact, contains, in, …), or undefined after reporting why it has none. */
function itemsOf(check: Check, operand: Operand, why: string): Operand | undefined {
  if (operand.kind === 'untyped') return operand;
  if (operand.kind === 'typed') {
    const type = resolved(operand.type, check.context);
    if (type.kind === 'list') return { ...operand, type: resolved(type.items, check.context), name: `each item of ${operand.name}`, item: true };
    return reportTyped(check, operand, `${why}, but ${operand.name} is ${describeType(type)}`);
  }
  const items: { value: unknown; at: JsonPath }[] = [];
  for (const item of operand.items) {
    if (!Array.isArray(item.value)) return reportValue(check, item.at, `value ${show(item.value)} is ${kindOfValue(item.value)}: ${why}`);
    item.value.forEach((v, i) => items.push({ value: v, at: [...item.at, i] }));
  }
  return { kind: 'literal', items };
}

/** equal / notEqual, and in / notIn per item: the two sides must be able to be the same single value. */
function equalityProblem(check: Check, left: Operand, right: Operand): void {
  const typed = left.kind === 'typed' ? left : right.kind === 'typed' ? right : undefined;
  const other = typed === left ? right : left;
  if (!typed || other.kind === 'untyped') return;
  const type = resolved(typed.type, check.context);
  if (type.kind === 'list' || type.kind === 'object') {
    const use = type.kind === 'list' ? '; to test its items use contains / doesNotContain' : typed.item ? ', which no rule value equals' : '; name one of its keys with "path"';
    reportTyped(check, typed, `${check.operator} compares single values, but ${typed.name} is ${describeType(type)}${use}`);
    return;
  }
  if (other.kind === 'literal') {
    for (const item of other.items) {
      if (type.kind === 'hash' && typeof item.value === 'string') {
        reportValue(check, item.at, `${typed.name} is ${describeType(type)}, which no literal equals: compare it with inList / notInList and a list in rules/lists`);
        continue;
      }
      const problem = mismatch(item.value, type, typed.name);
      if (!problem) continue;
      const hint =
        Array.isArray(item.value) && (check.operator === 'equal' || check.operator === 'notEqual') ? `; to test for one of several values use ${check.operator === 'equal' ? 'in' : 'notIn'}` : '';
      reportValue(check, item.at, `value ${problem}${hint}`);
    }
    return;
  }
  const otherType = resolved(other.type, check.context);
  const problem = incompatible(type, otherType);
  if (!problem) return;
  // Both sides typed: one is the rule's fact, the other the value's reference — the reference is the choice.
  const [reference, fact] = other.origin === 'reference' ? [other, typed] : [typed, other];
  reportTyped(check, reference, `${reference.name} is ${describeType(resolved(reference.type, check.context))} but ${fact.name} is ${describeType(resolved(fact.type, check.context))}: ${problem}`);
}

/** Why two typed sides can never hold the same value, or undefined when they can. */
function incompatible(a: ValueType, b: ValueType): string | undefined {
  const family = (t: ValueType) => (t.kind === 'enum' || t.kind === 'hash' ? 'string' : t.kind);
  if (family(a) !== family(b)) return `${family(a) === 'string' ? 'a string' : plural(a)} and ${family(b) === 'string' ? 'strings' : plural(b)} never match`;
  if ((a.kind === 'hash') !== (b.kind === 'hash')) return 'a keyed hash never equals a plain string';
  if (a.kind === 'hash' && b.kind === 'hash' && a.identifierType !== b.identifierType) return 'hashes of different identifier types never match';
  if (a.kind === 'enum' && b.kind === 'enum' && !a.values.some((v) => b.values.includes(v))) return 'they share no value';
  return undefined;
}

/** lessThan … greaterThanInclusive: numbers on both sides, a literal bound within the fact's range. */
function orderProblem(check: Check, left: Operand, right: Operand): void {
  const compares = `${check.operator} compares numbers`;
  for (const side of [left, right]) {
    if (side.kind !== 'typed') continue;
    const type = resolved(side.type, check.context);
    if (type.kind !== 'number') {
      reportTyped(check, side, `${compares}, but ${side.name} is ${describeType(type)}`);
      return;
    }
  }
  const typed = left.kind === 'typed' ? left : right.kind === 'typed' ? right : undefined;
  const range = typed ? resolved(typed.type, check.context) : undefined;
  for (const side of [left, right]) {
    if (side.kind !== 'literal') continue;
    for (const item of side.items) {
      if (typeof item.value !== 'number') {
        const expected = typed && range ? `${typed.name} is ${describeType(range)}` : 'the other side is a number';
        const hint = typeof item.value === 'string' && item.value.trim() !== '' && Number.isFinite(Number(item.value)) ? ` (did you mean ${Number(item.value)}, without quotes?)` : '';
        reportValue(check, item.at, `value ${show(item.value)} is ${kindOfValue(item.value)} but ${expected}: ${compares}${hint}`);
      } else if (typed && range?.kind === 'number') {
        // A bound outside the fact's range makes the condition always or never hold (a PD compared with 35, not 0.35).
        if ((range.min !== undefined && item.value < range.min) || (range.max !== undefined && item.value > range.max)) {
          reportValue(check, item.at, `value ${item.value} is outside the range of ${typed.name}: ${describeType(range)}`);
        }
      }
    }
  }
}

/** inList / notInList: an identifier hash on the left, the name of a list of that identifier type on the right. */
function listProblem(check: Check, left: Operand, right: Operand): void {
  let identifierType: IdentifierType | undefined;
  if (left.kind === 'typed') {
    const type = resolved(left.type, check.context);
    if (type.kind !== 'hash') {
      reportTyped(check, left, `${check.operator} looks an identifier hash up in a list, but ${left.name} is ${describeType(type)} (compare fact "identifiers" with a path such as "$.phone")`);
      return;
    }
    identifierType = type.identifierType;
  }
  const lists = check.context.lists;
  if (!lists || right.kind !== 'literal') return;
  const name = right.items[0]?.value;
  const list = typeof name === 'string' ? lists.get(name) : undefined;
  if (!list) {
    reportValue(check, [], `unknown list ${show(name)} (lists: ${[...lists.keys()].join(', ') || 'none'}; a list is rules/lists/<name>.json)`, 'UNKNOWN_LIST');
  } else if (identifierType !== list.identifierType) {
    reportValue(check, [], `list ${show(name)} holds ${list.identifierType} hashes; compare it with fact "identifiers" and path "$.${list.identifierType}"`, 'LIST_TYPE_MISMATCH');
  }
}

/** What a decorator does to the two sides (json-rules-engine applies the outermost first). */
function decorate(check: Check, decorator: Decorator, left: Operand, right: Operand): [Operand, Operand] | undefined {
  switch (decorator) {
    case 'not':
      return [left, right];
    case 'swap':
      return [right, left];
    case 'someFact':
    case 'everyFact': {
      const items = itemsOf(check, left, `${decorator} tests each item of a list`);
      return items ? [items, right] : undefined;
    }
    case 'someValue':
    case 'everyValue': {
      const items = itemsOf(check, right, `${decorator} needs a list of values`);
      return items ? [left, items] : undefined;
    }
  }
}

/**
 * The problems of one comparison, each naming the part of it to fix: an unknown operator, a path
 * the fact does not have, an operator its fact's type does not support, a value (literal or
 * `{ fact, path }` reference) of the wrong type, outside the fact's range or set, an unknown or
 * mismatched identifier list. [] when it is well typed. A fact the registry does not declare (one
 * a rule's event sets) is not checked: the caller knows whether the name exists and whether its
 * stage has run by then (FlowChecker reports those).
 */
export function checkComparison(comparison: Comparison, context: ComparisonContext = {}): ComparisonProblem[] {
  const problems: ComparisonProblem[] = [];
  const parsed = parseOperator(comparison.operator);
  if (!parsed) {
    problems.push({
      code: 'UNKNOWN_OPERATOR',
      part: 'operator',
      at: [],
      message: `unknown operator "${comparison.operator}" (expected one of ${[...BUILTIN_OPERATORS, ...LIST_OPERATORS].join(', ')}, optionally prefixed by ${OPERATOR_DECORATORS.join(':, ')}:)`,
    });
  }
  const fact = resolveFact(comparison.fact, comparison.path, context);
  if (fact.ok === false) problems.push({ code: 'UNKNOWN_FACT_PATH', part: 'path', at: [], message: fact.message });
  const value = comparison.value;
  const reference = isReference(value) ? resolveFact(value.fact, typeof value.path === 'string' ? value.path : undefined, context) : undefined;
  if (reference?.ok === false) problems.push({ code: 'UNKNOWN_FACT_PATH', part: 'value', at: ['path'], message: reference.message });
  // Types are compared only once every part is known.
  if (!parsed || problems.length > 0) return problems;

  const check: Check = { operator: parsed.operator, context, problems };
  let left: Operand = fact.ok === true ? { kind: 'typed', type: fact.type, name: fact.label, origin: 'fact' } : { kind: 'untyped' };
  let right: Operand =
    reference === undefined
      ? { kind: 'literal', items: [{ value, at: [] }] }
      : reference.ok === true
        ? { kind: 'typed', type: reference.type, name: `the value's ${reference.label}`, origin: 'reference' }
        : { kind: 'untyped' };
  for (const decorator of parsed.decorators) {
    const next = decorate(check, decorator, left, right);
    if (!next) return problems;
    [left, right] = next;
  }
  switch (OPERATORS[parsed.operator]) {
    case 'equality':
      equalityProblem(check, left, right);
      break;
    case 'membership': {
      const example = left.kind === 'typed' && resolved(left.type, context).kind === 'number' ? '[1, 2]' : '["a", "b"]';
      const items = itemsOf(check, right, `${parsed.operator} needs a list of values to look in, e.g. ${example}`);
      if (items) equalityProblem(check, left, items);
      break;
    }
    case 'containment': {
      const items = itemsOf(check, left, `${parsed.operator} looks inside a list`);
      if (items) equalityProblem(check, items, right);
      break;
    }
    case 'order':
      orderProblem(check, left, right);
      break;
    case 'list':
      listProblem(check, left, right);
      break;
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The rule set's own domains.

/** A JSON object's own property, or undefined for anything else. */
const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? Reflect.get(value, key) : undefined);
const stringsAt = (list: unknown, key: string): readonly string[] | undefined =>
  Array.isArray(list) ? list.map((item) => field(item, key)).filter((v): v is string => typeof v === 'string') : undefined;

/**
 * The values of each rule-set domain, from the files being loaded: reason codes from
 * rules/reasons.json, grades from rules/scoring/grades.json, flag codes from
 * rules/fraud/clusters.json. A file that is missing or invalid leaves its domain out (it is
 * reported on its own; values of that domain are then checked as plain strings).
 */
export function ruleSetDomains(reasons: Iterable<string> | undefined, table: (relPath: string) => unknown): Partial<Record<ValueDomain, readonly string[]>> {
  const domains: Partial<Record<ValueDomain, readonly string[]>> = {};
  if (reasons) domains.reason = [...reasons];
  const grades = stringsAt(field(table(GRADES_TABLE), 'grades'), 'grade');
  if (grades) domains.grade = grades;
  const flags = stringsAt(field(field(table(CLUSTERS_TABLE), 'scoring'), 'flags'), 'flag');
  if (flags) domains.clusterFlag = flags;
  return domains;
}

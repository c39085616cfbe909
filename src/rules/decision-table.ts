// Decision tables in a flow stage, in the spirit of GoRules ZEN's JDM tables: named inputs as
// columns, one row per case with a short test in each cell, and a hit policy. A table is
// shorthand: each row compiles to an ordinary rule (its name, its conditions, its event), so
// tables and rule lists share one evaluator, one trace format, one checker and one coverage
// report, and a decision's trace names the row that fired.
//
// Cells (a cell left out, "" or "-" matches anything):
//   "< 21"  "<= 21"  "> 20000"  ">= 4"      numeric comparisons
//   "[250..20000]"  "(0..1]"                a range, brackets inclusive, parentheses exclusive
//   "!= auto"                               not equal
//   "in list blocked-phones"                the value is on an identifier list (also "not in list")
//   "contains REGION_LIMIT_NEAR"            an array fact holds the value (also "not contains")
//   "E"  4  true  null                      equal to that value
//   ["D", "E"]                              one of these values
//   { "operator": "...", "value": ... }     any condition operator, as in a rule
// Hit policies: "collect" — every matching row fires; "first" — only the first matching row, in
// file order, fires (each row's conditions include "and no earlier row matched", so the trace
// shows why a later row did not fire).
import type { JsonPath } from './diagnostics';
import type { RuleDefinition, RuleEvent } from './ruleset';

export type HitPolicy = 'first' | 'collect';
export const HIT_POLICIES: readonly HitPolicy[] = ['first', 'collect'];

type Literal = string | number | boolean | null;
export type TableCell = Literal | readonly Literal[] | { readonly operator: string; readonly value: unknown };

export interface DecisionTableRow {
  /** The rule name a decision's trace gives for this row; default "<table>-<row number>". */
  readonly rule?: string;
  readonly description?: string;
  readonly when: Readonly<Record<string, TableCell>>;
  readonly then: RuleEvent['type'];
  readonly reason?: string;
  readonly stop?: boolean;
  readonly override?: boolean;
  readonly facts?: Readonly<Record<string, unknown>>;
}

/** A table as written in a flow file (after its JSON Schema has accepted it). */
export interface DecisionTable {
  readonly name: string;
  readonly description?: string;
  readonly hitPolicy: HitPolicy;
  /** Rule priority of every row (higher runs first); default 1. */
  readonly priority?: number;
  /** Columns: a fact ("amount") or a fact and a path into it ("applicant.age"). */
  readonly inputs: readonly string[];
  readonly rows: readonly DecisionTableRow[];
}

/** A condition on one fact, as json-rules-engine reads it. */
export interface FactCondition {
  readonly fact: string;
  readonly path?: string;
  readonly operator: string;
  readonly value: unknown;
}

/** One row as a rule, with where its parts came from in the file. */
export interface TableRule {
  readonly rule: RuleDefinition;
  /** The row: ['stages', 0, 'tables', 1, 'rows', 3]. */
  readonly path: JsonPath;
  /** The cell each generated fact condition came from (diagnostics point there, not at generated JSON). */
  readonly sources: ReadonlyMap<object, JsonPath>;
}

export interface TableProblem {
  readonly path: JsonPath;
  readonly message: string;
}

export interface ExpandedTable {
  readonly rules: readonly TableRule[];
  readonly problems: readonly TableProblem[];
}

/** "applicant.age" → fact applicant, path $.age; "amount" → fact amount. */
export function inputCondition(input: string): { fact: string; path?: string } {
  const dot = input.indexOf('.');
  return dot < 0 ? { fact: input } : { fact: input.slice(0, dot), path: `$.${input.slice(dot + 1)}` };
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const COMPARISONS: ReadonlyArray<readonly [string, string]> = [
  ['<=', 'lessThanInclusive'],
  ['>=', 'greaterThanInclusive'],
  ['!=', 'notEqual'],
  ['<', 'lessThan'],
  ['>', 'greaterThan'],
];
const RANGE = /^([[(])\s*(\S+?)\s*\.\.\s*(\S+?)\s*([\])])$/;

/** A literal written after an operator: numbers, true, false and null as themselves; the rest as text. */
function literalOf(text: string): Literal {
  if (NUMBER.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  return text;
}

function numberAfter(symbol: string, operand: string, cell: string): number | string {
  if (NUMBER.test(operand)) return Number(operand);
  return `cell ${JSON.stringify(cell)}: "${symbol}" compares numbers, and ${JSON.stringify(operand)} is not a number`;
}

/** The conditions one cell stands for, or a message saying why the cell cannot be read. */
export function cellConditions(input: string, cell: TableCell): FactCondition[] | string {
  const on = inputCondition(input);
  const condition = (operator: string, value: unknown): FactCondition => ({ ...on, operator, value });
  if (cell === null || typeof cell === 'number' || typeof cell === 'boolean') return [condition('equal', cell)];
  if (Array.isArray(cell)) return [condition('in', [...cell])];
  if (typeof cell === 'object') return [condition((cell as { operator: string }).operator, (cell as { value: unknown }).value)];
  const text = (cell as string).trim();
  if (text === '' || text === '-') return [];
  const range = RANGE.exec(text);
  if (range) {
    const [, open, low, high, close] = range as unknown as [string, string, string, string, string];
    const lo = numberAfter('..', low, text);
    const hi = numberAfter('..', high, text);
    if (typeof lo === 'string') return lo;
    if (typeof hi === 'string') return hi;
    if (lo > hi) return `cell ${JSON.stringify(text)}: the range is empty (${lo} is above ${hi})`;
    return [condition(open === '[' ? 'greaterThanInclusive' : 'greaterThan', lo), condition(close === ']' ? 'lessThanInclusive' : 'lessThan', hi)];
  }
  const list = /^(not\s+)?in\s+list\s+(\S+)$/.exec(text);
  if (list) return [condition(list[1] ? 'notInList' : 'inList', list[2])];
  const contains = /^(not\s+)?contains\s+(.+)$/.exec(text);
  if (contains) return [condition(contains[1] ? 'doesNotContain' : 'contains', literalOf((contains[2] as string).trim()))];
  for (const [symbol, operator] of COMPARISONS) {
    if (!text.startsWith(symbol)) continue;
    const operand = text.slice(symbol.length).trim();
    if (operand === '') return `cell ${JSON.stringify(text)}: "${symbol}" needs a value after it`;
    if (operator === 'notEqual') return [condition(operator, literalOf(operand))];
    const n = numberAfter(symbol, operand, text);
    return typeof n === 'string' ? n : [condition(operator, n)];
  }
  if (text.startsWith('=')) return `cell ${JSON.stringify(text)}: write the value alone to test equality ("${text.slice(1).trim()}")`;
  return [condition('equal', text)];
}

function eventOf(row: DecisionTableRow): RuleEvent {
  const params = {
    ...(row.reason !== undefined && { reason: row.reason }),
    ...(row.facts !== undefined && { facts: row.facts }),
    ...(row.override !== undefined && { override: row.override }),
    ...(row.stop !== undefined && { stop: row.stop }),
  };
  return Object.keys(params).length > 0 ? { type: row.then, params } : { type: row.then };
}

/** Compiles a table's rows to rules; `at` is the table's JSON path in its flow file. */
export function expandDecisionTable(table: DecisionTable, at: JsonPath): ExpandedTable {
  const problems: TableProblem[] = [];
  const rules: TableRule[] = [];
  const inputs = new Set(table.inputs);
  table.inputs.forEach((input, i) => {
    if (table.inputs.indexOf(input) !== i) problems.push({ path: [...at, 'inputs', i], message: `input "${input}" is listed twice` });
  });
  const earlier: { readonly all: FactCondition[] }[] = [];
  let matchesAll: number | undefined;
  table.rows.forEach((row, r) => {
    const rowPath: JsonPath = [...at, 'rows', r];
    const sources = new Map<object, JsonPath>();
    const own: FactCondition[] = [];
    let unreadable = false;
    for (const [input, cell] of Object.entries(row.when)) {
      const cellPath: JsonPath = [...rowPath, 'when', input];
      if (!inputs.has(input)) {
        problems.push({ path: cellPath, message: `"${input}" is not an input of table "${table.name}" (inputs: ${table.inputs.join(', ')})` });
        unreadable = true;
        continue;
      }
      const conditions = cellConditions(input, cell);
      if (typeof conditions === 'string') {
        problems.push({ path: cellPath, message: conditions });
        unreadable = true;
        continue;
      }
      for (const c of conditions) sources.set(c, cellPath);
      own.push(...conditions);
    }
    if (table.hitPolicy === 'first' && matchesAll !== undefined) {
      problems.push({ path: rowPath, message: `row ${r + 1} can never fire: row ${matchesAll + 1} matches every application and the hit policy is "first"` });
    }
    if (own.length === 0 && !unreadable && matchesAll === undefined) matchesAll = r;
    const excluded = table.hitPolicy === 'first' && earlier.length > 0 ? [{ not: { any: earlier.map((e) => ({ all: e.all })) } }] : [];
    rules.push({
      rule: {
        name: row.rule ?? `${table.name}-${r + 1}`,
        ...(row.description !== undefined && { description: row.description }),
        priority: table.priority ?? 1,
        conditions: { all: [...own, ...excluded] },
        event: eventOf(row),
      },
      path: rowPath,
      sources,
    });
    earlier.push({ all: own });
  });
  return { rules, problems };
}

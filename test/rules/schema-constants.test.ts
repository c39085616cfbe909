// The rule schemas (rules/schema/*.json) spell out lists the code defines once as TypeScript
// constants: identifier types, community metrics, projections, outcomes, approval levels, stages.
// Each such list is read here and compared with its constant (the same set, no repeats), and every
// enum or constant-like list in any schema must be one of them, so a schema cannot drift from the
// code, nor grow a list nobody checks.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPROVAL_LEVELS } from '../../src/approval/authority';
import { CLUSTER_METRICS, PROJECTIONS } from '../../src/graph/config';
import { IDENTIFIER_TYPES } from '../../src/identity/identifiers';
import { HIT_POLICIES } from '../../src/rules/decision-table';
import { OUTCOME_SEVERITY, STAGES, type ExposurePolicy, type Outcome, type RuleEvent } from '../../src/rules/ruleset';

const SCHEMA_DIR = path.resolve(import.meta.dirname, '../../rules/schema');

/**
 * The members of a string union that has no runtime constant, spelled out: the list does not
 * compile while it misses a member (or names one the union does not have).
 */
const everyMemberOf =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> })): readonly T[] =>
    list;

const OUTCOMES = Object.keys(OUTCOME_SEVERITY) as Outcome[];
const EVENT_TYPES = everyMemberOf<RuleEvent['type']>()([...OUTCOMES, 'flag']);
const LIMIT_OUTCOMES = everyMemberOf<ExposurePolicy['onLimitExceeded']['outcome']>()(['review', 'decline']);

/** How a list is spelled in a schema: an array of strings, an object's property names, or "a | b | c" in a description. */
type Spelling = 'array' | 'keys' | 'description';

interface SchemaList {
  readonly file: string;
  /** JSON pointer to the list inside the schema. */
  readonly pointer: string;
  readonly spelling: Spelling;
  readonly constant: string;
  readonly values: readonly string[];
}

const list = (file: string, pointer: string, constant: string, values: readonly string[], spelling: Spelling = 'array'): SchemaList => ({ file, pointer, spelling, constant, values });

/** Every list the schemas retype, with the constant it must equal. */
const LISTS: readonly SchemaList[] = [
  list('clusters.schema.json', '/definitions/identifierType/enum', 'IDENTIFIER_TYPES', IDENTIFIER_TYPES),
  list('clusters.schema.json', '/properties/linking/properties/identifiers/required', 'IDENTIFIER_TYPES', IDENTIFIER_TYPES),
  list('clusters.schema.json', '/properties/linking/properties/identifiers/properties', 'IDENTIFIER_TYPES', IDENTIFIER_TYPES, 'keys'),
  list('clusters.schema.json', '/properties/linking/properties/projection/enum', 'PROJECTIONS', PROJECTIONS),
  list('clusters.schema.json', '/properties/scoring/properties/flags/items/properties/metric/enum', 'CLUSTER_METRICS', CLUSTER_METRICS),
  list('list.schema.json', '/properties/identifierType/enum', 'IDENTIFIER_TYPES', IDENTIFIER_TYPES),
  list('authority.schema.json', '/definitions/level/enum', 'APPROVAL_LEVELS', APPROVAL_LEVELS),
  list('flow.schema.json', '/definitions/outcome/enum', 'Outcome (OUTCOME_SEVERITY)', OUTCOMES),
  list('flow.schema.json', '/definitions/event/properties/type/enum', "RuleEvent['type']", EVENT_TYPES),
  list('flow.schema.json', '/definitions/stage/properties/onLimitExceeded/properties/outcome/enum', "ExposurePolicy['onLimitExceeded']['outcome']", LIMIT_OUTCOMES),
  list('flow.schema.json', '/definitions/stage/properties/stage/description', 'STAGES', STAGES, 'description'),
  list('flow.schema.json', '/definitions/stage/properties/stage/examples', 'STAGES', STAGES),
  list('flow.schema.json', '/definitions/tableRow/properties/then/enum', "DecisionTableRow['then']", EVENT_TYPES),
  list('flow.schema.json', '/definitions/table/properties/hitPolicy/enum', 'HIT_POLICIES', HIT_POLICIES),
  list('test-case.schema.json', '/properties/expect/properties/outcome/enum', 'Outcome (OUTCOME_SEVERITY)', OUTCOMES),
  list('test-case.schema.json', '/properties/expect/properties/approvalLevel/enum', 'APPROVAL_LEVELS', APPROVAL_LEVELS),
];

const CONSTANTS: readonly (readonly string[])[] = [HIT_POLICIES, IDENTIFIER_TYPES, PROJECTIONS, CLUSTER_METRICS, APPROVAL_LEVELS, OUTCOMES, EVENT_TYPES, LIMIT_OUTCOMES, STAGES];

const schemas = new Map(
  readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => [f, JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as unknown]),
);

function at(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}

function read(entry: SchemaList): string[] {
  const node = at(schemas.get(entry.file), entry.pointer);
  switch (entry.spelling) {
    case 'array':
      expect(Array.isArray(node), `${entry.file}#${entry.pointer} is a list`).toBe(true);
      return node as string[];
    case 'keys':
      expect(node, `${entry.file}#${entry.pointer} is an object`).toBeTypeOf('object');
      return Object.keys(node as object);
    case 'description':
      expect(node, `${entry.file}#${entry.pointer} is a description`).toBeTypeOf('string');
      return (node as string).split('|').map((s) => s.trim());
  }
}

/** Every enum, and every string list or property-name set drawn entirely from one constant, in a schema: file#pointer. */
function constantLikeLists(): string[] {
  const found: string[] = [];
  const fromOneConstant = (values: readonly unknown[]) =>
    values.length >= 2 && CONSTANTS.some((constant) => values.every((v) => typeof v === 'string' && constant.includes(v)));
  const walk = (file: string, node: unknown, pointer: string) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      if (pointer.endsWith('/enum') || fromOneConstant(node)) found.push(`${file}#${pointer}`);
    } else if (pointer.endsWith('/properties') && fromOneConstant(Object.keys(node))) found.push(`${file}#${pointer}`);
    for (const [key, child] of Object.entries(node)) walk(file, child, `${pointer}/${key}`);
  };
  for (const [file, schema] of schemas) walk(file, schema, '');
  return found.sort();
}

const sorted = (values: readonly string[]) => [...values].sort();

describe('rule schemas against the TypeScript constants', () => {
  it.each(LISTS.map((l) => [`${l.file}#${l.pointer}`, l.constant, l] as const))('%s is %s', (_where, _constant, entry) => {
    const values = read(entry);
    expect(new Set(values).size, 'no value listed twice').toBe(values.length);
    expect(sorted(values)).toEqual(sorted(entry.values));
  });

  it('every enum, and every list that looks like a constant, is one of the lists checked above', () => {
    const checked = new Set(LISTS.filter((l) => l.spelling !== 'description').map((l) => `${l.file}#${l.pointer}`));
    expect(constantLikeLists().filter((where) => !checked.has(where))).toEqual([]);
  });

  it('reads every schema in rules/schema', () => {
    expect([...schemas.keys()].sort()).toEqual(readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort());
    for (const entry of LISTS) expect(schemas.has(entry.file), entry.file).toBe(true);
  });
});

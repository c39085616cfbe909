// Analysts edit rule files with "$schema" pointing at rules/schema/*.schema.json; their editors
// show a property's `description` as hover text and its `examples` as completion. Every property
// of every rule-file schema therefore needs a description, every leaf property (string, number,
// integer, boolean or enum) examples, and every example must be valid where it is offered.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';

const SCHEMA_DIR = path.resolve(import.meta.dirname, '../../rules/schema');

const SCHEMA_FILES = [
  'authority.schema.json',
  'clusters.schema.json',
  'factors.schema.json',
  'flow.schema.json',
  'grades.schema.json',
  'list.schema.json',
  'offers.schema.json',
  'reasons.schema.json',
  'regions.schema.json',
  'test-case.schema.json',
] as const;

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);

/** RFC 6901 escaping of one pointer segment. */
const segment = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/** Keywords whose value is a subschema, a list of subschemas, or a map of them. */
const SUBSCHEMA = ['items', 'additionalItems', 'additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else'];
const SUBSCHEMA_LISTS = ['items', 'allOf', 'anyOf', 'oneOf'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];

interface Visit {
  readonly node: Schema;
  readonly pointer: string;
  /** Set when the node is a property: the name it is declared under. */
  readonly property?: string;
}

/** Every subschema of a schema (not the values inside examples, defaults, enums or consts), depth first. */
function* subschemas(node: unknown, pointer = '', property?: string): Generator<Visit> {
  if (!isObject(node)) return;
  yield property === undefined ? { node, pointer } : { node, pointer, property };
  for (const key of SUBSCHEMA) if (isObject(node[key])) yield* subschemas(node[key], `${pointer}/${key}`);
  for (const key of SUBSCHEMA_LISTS) {
    const list = node[key];
    if (Array.isArray(list)) for (const [i, child] of list.entries()) yield* subschemas(child, `${pointer}/${key}/${i}`);
  }
  for (const key of SUBSCHEMA_MAPS) {
    const map = node[key];
    if (!isObject(map)) continue;
    for (const [name, child] of Object.entries(map)) yield* subschemas(child, `${pointer}/${key}/${segment(name)}`, key === 'properties' ? name : undefined);
  }
}

/** The node a local reference ("#/definitions/level") points at. */
function resolveLocal(root: Schema, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  return decodeURIComponent(ref.slice(1))
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
}

const LEAF_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * Whether a property takes a single value an editor can complete: a string, number, integer or
 * boolean type (nullable or not), or an enum, on the property itself or through local $refs and
 * allOf, as editors read them.
 */
function isLeaf(root: Schema, node: unknown, seen = new Set<unknown>()): boolean {
  if (!isObject(node) || seen.has(node)) return false;
  seen.add(node);
  if (Array.isArray(node.enum)) return true;
  const types = node.type === undefined ? [] : ([] as unknown[]).concat(node.type);
  const own = types.filter((t) => t !== 'null');
  if (own.length > 0) return own.every((t) => LEAF_TYPES.has(String(t)));
  if (typeof node.$ref === 'string' && isLeaf(root, resolveLocal(root, node.$ref), seen)) return true;
  return Array.isArray(node.allOf) && node.allOf.some((part) => isLeaf(root, part, seen));
}

/** JSON pointers of the properties with no description, and of the leaf properties with no examples. */
function undocumented(root: Schema): { description: string[]; examples: string[] } {
  const description: string[] = [];
  const examples: string[] = [];
  for (const { node, pointer, property } of subschemas(root)) {
    // "$schema" only points the editor at the schema.
    if (property === undefined || property === '$schema') continue;
    if (typeof node.description !== 'string' || node.description.trim() === '') description.push(pointer);
    if (isLeaf(root, node) && !(Array.isArray(node.examples) && node.examples.length > 0)) examples.push(pointer);
  }
  return { description, examples };
}

const schemas = new Map(SCHEMA_FILES.map((file) => [file, JSON.parse(readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as Schema]));

const ajv = new Ajv({ allErrors: true, strict: false });
for (const schema of schemas.values()) ajv.addSchema(schema);

/**
 * The subschema at a pointer, compiled with its root so every local $ref resolves as it does for
 * the whole file.
 */
function validatorAt(root: Schema, pointer: string): ValidateFunction {
  const fragment = pointer
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return ajv.compile({ $ref: `${String(root.$id)}#${fragment}` });
}

describe('the walk over a schema', () => {
  const sample: Schema = {
    $id: 'https://decision-engine.local/schema/sample.schema.json',
    type: 'object',
    definitions: { level: { enum: ['auto', 'L1'] }, band: { type: 'object', properties: { upTo: { type: 'number' } } } },
    properties: {
      $schema: { type: 'string' },
      documented: { type: 'string', description: 'Documented.', examples: ['x'] },
      bare: { type: 'integer' },
      level: { $ref: '#/definitions/level', description: 'A level.' },
      wrapped: { allOf: [{ $ref: '#/definitions/level' }], description: 'Wrapped.', examples: ['L1'] },
      nullable: { type: ['string', 'null'], description: 'Nullable.' },
      band: { $ref: '#/definitions/band', description: 'A band.' },
      list: {
        type: 'array',
        description: 'Items.',
        items: { type: 'object', properties: { 'a/b': { type: 'boolean', description: 'Escaped.' } } },
      },
      map: { type: 'object', description: 'A map.', additionalProperties: { type: 'object', properties: { deep: { enum: [1, 2] } } } },
    },
  };

  it('names each property without a description, and each leaf without examples, by JSON pointer', () => {
    expect(undocumented(sample)).toEqual({
      description: ['/properties/bare', '/properties/map/additionalProperties/properties/deep', '/definitions/band/properties/upTo'],
      examples: [
        '/properties/bare',
        '/properties/level',
        '/properties/nullable',
        '/properties/list/items/properties/a~1b',
        '/properties/map/additionalProperties/properties/deep',
        '/definitions/band/properties/upTo',
      ],
    });
  });

  it('checks an example against its property, local $refs resolved', () => {
    const requiredLevel = validatorAt(schemas.get('test-case.schema.json') as Schema, '/properties/facts/properties/approval/properties/requiredLevel');
    expect(requiredLevel('L1')).toBe(true);
    expect(requiredLevel('L9')).toBe(false);
    const fallbackOutcome = validatorAt(schemas.get('flow.schema.json') as Schema, '/definitions/stage/properties/fallback/properties/outcome');
    expect(fallbackOutcome('review')).toBe(true);
    expect(fallbackOutcome('flag')).toBe(false);
  });
});

describe.each(SCHEMA_FILES)('rules/schema/%s', (file) => {
  const root = schemas.get(file) as Schema;

  it('documents every property, at every depth', () => {
    const found = [...subschemas(root)].filter((v) => v.property !== undefined);
    expect(found.length, 'the walk finds the properties').toBeGreaterThan(2);
    expect(undocumented(root).description, 'properties without a "description"').toEqual([]);
  });

  it('gives examples for every leaf property (string, number, integer, boolean or enum)', () => {
    expect(undocumented(root).examples, 'leaf properties without "examples"').toEqual([]);
  });

  it('offers only examples that are valid where they are offered', () => {
    const invalid: string[] = [];
    for (const { node, pointer } of subschemas(root)) {
      if (node.examples === undefined) continue;
      if (!Array.isArray(node.examples)) {
        invalid.push(`${pointer}/examples is not an array`);
        continue;
      }
      const validate = validatorAt(root, pointer);
      node.examples.forEach((example, i) => {
        if (!validate(example)) invalid.push(`${pointer}/examples/${i} ${JSON.stringify(example)}: ${ajv.errorsText(validate.errors)}`);
      });
    }
    expect(invalid).toEqual([]);
  });
});

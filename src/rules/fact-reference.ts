// The analysts' reference of facts (docs/rules.md, between <!-- facts:begin --> and
// <!-- facts:end -->), generated from the fact registry so it cannot drift from what rules:check
// enforces; a test fails when the doc is stale. `npm run rules:facts` prints it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FACT_CATALOG, FACT_NAMES, VALUE_DOMAINS, type ValueType } from './facts';

/** A value type as the table's type column gives it: short, markdown. */
function typeCell(type: ValueType): string {
  const base = ((): string => {
    switch (type.kind) {
      case 'number': {
        const what = type.integer ? 'whole number' : 'number';
        if (type.min !== undefined && type.max !== undefined) return `${what} ${type.min}–${type.max}`;
        if (type.min !== undefined) return `${what} ≥ ${type.min}`;
        if (type.max !== undefined) return `${what} ≤ ${type.max}`;
        return what;
      }
      case 'string':
        return type.domain ? `${VALUE_DOMAINS[type.domain].noun} (from \`${VALUE_DOMAINS[type.domain].source}\`)` : 'string';
      case 'enum':
        return `one of ${type.values.map((v) => `\`${v}\``).join(', ')}`;
      case 'boolean':
        return 'true / false';
      case 'hash':
        return 'identifier hash (use `inList`)';
      case 'list':
        return `list of ${itemsCell(type.items)}`;
      case 'object':
        return 'object';
    }
  })();
  return type.nullable ? `${base}, or null` : base;
}

function itemsCell(type: ValueType): string {
  switch (type.kind) {
    case 'string':
      return type.domain ? `${VALUE_DOMAINS[type.domain].noun}s (from \`${VALUE_DOMAINS[type.domain].source}\`)` : 'strings';
    case 'object':
      return `objects (${Object.keys(type.properties).map((k) => `\`${k}\``).join(', ')})`;
    default:
      return typeCell(type);
  }
}

/** Text as a table cell: a pipe would end the cell, <product> would read as an HTML tag, FACTOR_* start emphasis. */
const cell = (text: string) => text.replace(/[|*]/g, '\\$&').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Row {
  readonly paths: readonly string[];
  readonly type: string;
  readonly description: string;
}

/** The rows for the paths inside an object type; keys in a row of their own unless they read the same as their neighbour. */
function propertyRows(properties: Readonly<Record<string, ValueType>>, prefix: string): Row[] {
  const rows: Row[] = [];
  for (const [key, type] of Object.entries(properties)) {
    const row: Row = { paths: [`${prefix}.${key}`], type: typeCell(type), description: type.description ?? '' };
    const previous = rows[rows.length - 1];
    // Fields of one shape (the applicant's categories, one count per identifier type) share a row.
    if (previous && type.kind !== 'object' && previous.type === row.type && previous.description === row.description) {
      rows[rows.length - 1] = { ...previous, paths: [...previous.paths, ...row.paths] };
    } else {
      rows.push(row);
    }
    if (type.kind === 'object') rows.push(...propertyRows(type.properties, `${prefix}.${key}`));
  }
  return rows;
}

/** The facts table of docs/rules.md: every fact, and every path a rule may name in it. */
export function factReferenceMarkdown(): string {
  const lines = ['| fact | path | type | set by stage | what it is |', '|---|---|---|---|---|'];
  for (const name of FACT_NAMES) {
    const spec = FACT_CATALOG[name];
    const stage = spec.producedBy ?? 'before any';
    lines.push(`| \`${name}\` | | ${cell(typeCell(spec.type))} | ${stage} | ${cell(spec.description)} |`);
    if (spec.type.kind !== 'object') continue;
    for (const row of propertyRows(spec.type.properties, '$')) {
      lines.push(`| | ${row.paths.map((p) => `\`${p}\``).join(', ')} | ${cell(row.type)} | ${stage} | ${cell(row.description)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// `npm run rules:facts`
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.stdout.write(factReferenceMarkdown());

// What a JSON-Schema violation expected, in words, for every place that validates input: request
// bodies and parameters (src/http) and rule files (src/rules). Callers phrase "missing" and
// "unknown property" themselves, since they place those at different paths.
import type { ErrorObject } from 'ajv';

export function expectedBy(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `expected ${String(p.type)}`;
    case 'enum':
      return `expected one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      return `expected a string matching ${String(p.pattern)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `expected a number ${String(p.comparison)} ${String(p.limit)}`;
    case 'minLength':
    case 'maxLength':
      return `expected a string of ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${String(p.limit)} characters`;
    case 'minItems':
    case 'maxItems':
      return `expected ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items`;
    default:
      return e.message ?? e.keyword;
  }
}

// Query parameters as every endpoint reads them: unknown or repeated ones refused, integers
// range-checked, every problem named at once.
import type { ErrorDetail } from './errors';

export type Query = Record<string, unknown>;

/** Longest part of a caller's value an error message quotes back: enough to recognise it, never a page of it. */
const QUOTED_MAX = 40;

/** A value from the request as an error message shows it: JSON-quoted, cut to QUOTED_MAX characters. */
export function quoted(raw: string): string {
  return JSON.stringify(raw.length > QUOTED_MAX ? `${raw.slice(0, QUOTED_MAX)}…` : raw);
}

/** Reads the query, rejecting unknown or repeated parameters; every problem is named at once. */
export function readQuery(query: Query, known: readonly string[]): { get: (name: string) => string | undefined; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (!known.includes(name)) problems.push({ path: name.length > QUOTED_MAX ? `${name.slice(0, QUOTED_MAX)}…` : name, message: `unknown query parameter (expected: ${known.join(', ')})` });
    else if (typeof value !== 'string') problems.push({ path: name, message: 'give this parameter once, as a single value' });
  }
  return { get: (name) => (typeof query[name] === 'string' ? (query[name] as string) : undefined), problems };
}

export function integer(raw: string | undefined, name: string, min: number, max: number, problems: ErrorDetail[]): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || n < min || n > max) {
    problems.push({ path: name, message: `expected an integer from ${min} to ${max}, got ${quoted(raw)}` });
    return undefined;
  }
  return n;
}


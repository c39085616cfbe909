// Request validation: precompiled JSON-Schema validators whose errors name each offending field
// by its dotted path and say what was expected.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expectedBy } from '../validation/schema-errors';
import { ApiError, type ErrorDetail } from './errors';

const ajv = new Ajv2020({ allErrors: true, strict: false });
// Request bodies give instants as RFC 3339 date-times (a loan outcome's `at`).
addFormats(ajv, ['date-time']);

function fieldPath(e: ErrorObject): string {
  const base = e.instancePath
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
  const child = e.keyword === 'required' ? String(e.params.missingProperty) : e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : '';
  return [base, child].filter(Boolean).join('.') || '(body)';
}

function expectation(e: ErrorObject): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not a known field';
  return expectedBy(e);
}

/** One detail per field: several problems with the same field are joined. */
export function errorDetails(errors: readonly ErrorObject[] | null | undefined): ErrorDetail[] {
  const byPath = new Map<string, string[]>();
  for (const e of errors ?? []) {
    const path = fieldPath(e);
    const messages = byPath.get(path) ?? [];
    const message = expectation(e);
    if (!messages.includes(message)) messages.push(message);
    byPath.set(path, messages);
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join('; ') }));
}

/**
 * A free-text field (a note, a reviewer's name): no control characters, zero-width characters or
 * bidirectional overrides, which hide or reorder what an auditor reads.
 */
export const freeText = (maxLength: number, minLength = 0) =>
  ({
    type: 'string',
    minLength,
    maxLength,
    pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\u200B-\\u200F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF]*$',
  }) as const;

export interface Validator<T> {
  /** Returns the value typed, or throws a 400 ApiError listing every problem. */
  (value: unknown): T;
}

/** A precompiled schema check that returns every problem instead of throwing (for batch inputs). */
export function compileChecker(schema: object): (value: unknown) => ErrorDetail[] {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown) => (validate(value) ? [] : errorDetails(validate.errors));
}

export function compileValidator<T>(schema: object, code: 'VALIDATION_FAILED' | 'INVALID_PARAMETER' = 'VALIDATION_FAILED'): Validator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown): T => {
    if (!validate(value)) throw new ApiError(code, errorDetails(validate.errors));
    return value as T;
  };
}

// API keys for systems: `Authorization: Bearer dk_…`. The service never holds a key, only its
// SHA-256; the keys file lists each key's id, hash, roles and (for reviewers) approval level.
// Keys are 256 random bits, so an unsalted SHA-256 is enough: there is nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import { schemaDiagnostics, SourceFile, type Diagnostic } from '../rules/diagnostics';
import { isReviewerLevel, REVIEWER_LEVELS, ROLES, type Principal, type ReviewerLevel, type Role } from './roles';

export const API_KEY_PREFIX = 'dk_';

export const KEYS_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'sha256', 'roles'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Who holds the key; recorded as the actor `key:<id>`.' },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Hex SHA-256 of the whole key, prefix included.' },
          roles: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ROLES] } },
          level: { enum: [...REVIEWER_LEVELS], description: "A reviewer key's approval level." },
          notAfter: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T', description: 'The key is refused after this instant (rotation).' },
          comment: { type: 'string', maxLength: 500 },
        },
      },
    },
  },
} as const;

export interface ApiKeyEntry {
  readonly id: string;
  readonly sha256: string;
  readonly roles: readonly Role[];
  readonly level?: ReviewerLevel;
  readonly notAfter?: string;
  readonly comment?: string;
}

const validateKeysFile = new Ajv({ allErrors: true, strict: false }).compile(KEYS_FILE_SCHEMA);

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** A new key and the entry that admits it (the key is shown once; only the entry is stored). */
export function generateApiKey(entry: Omit<ApiKeyEntry, 'sha256'>): { key: string; entry: ApiKeyEntry } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, entry: { ...entry, sha256: hashApiKey(key) } };
}

/** Parses and checks a keys file; every problem comes back with its line, column and JSON path. */
export function parseKeysFile(file: string, text: string): { ok: true; keys: ApiKeyEntry[] } | { ok: false; diagnostics: Diagnostic[] } {
  const parsed = SourceFile.parse(file, text);
  if ('diagnostics' in parsed) return { ok: false, diagnostics: parsed.diagnostics };
  const { source, value } = parsed;
  if (!validateKeysFile(value)) return { ok: false, diagnostics: schemaDiagnostics(source, validateKeysFile.errors ?? []) };
  const keys = (value as { keys: ApiKeyEntry[] }).keys;
  const diagnostics: Diagnostic[] = [];
  const ids = new Set<string>();
  const hashes = new Set<string>();
  keys.forEach((k, i) => {
    if (ids.has(k.id)) diagnostics.push(source.diagnostic('SCHEMA', ['keys', i, 'id'], `duplicate key id "${k.id}"`));
    if (hashes.has(k.sha256)) diagnostics.push(source.diagnostic('SCHEMA', ['keys', i, 'sha256'], 'the same key is listed twice'));
    ids.add(k.id);
    hashes.add(k.sha256);
    const reviewer = k.roles.includes('reviewer');
    if (reviewer && !isReviewerLevel(k.level)) diagnostics.push(source.diagnostic('SCHEMA', ['keys', i], `a reviewer key needs "level" (${REVIEWER_LEVELS.join(', ')})`));
    if (!reviewer && k.level !== undefined) diagnostics.push(source.diagnostic('SCHEMA', ['keys', i, 'level'], 'only a reviewer key carries a level'));
    if (k.notAfter !== undefined && Number.isNaN(Date.parse(k.notAfter))) diagnostics.push(source.diagnostic('SCHEMA', ['keys', i, 'notAfter'], 'not a date-time'));
  });
  return diagnostics.length ? { ok: false, diagnostics } : { ok: true, keys };
}

/** The keys in force, looked up by the hash of what a caller presents. */
export class ApiKeyRing {
  private byHash = new Map<string, ApiKeyEntry>();

  constructor(keys: readonly ApiKeyEntry[] = []) {
    this.replace(keys);
  }

  get size(): number {
    return this.byHash.size;
  }

  replace(keys: readonly ApiKeyEntry[]): void {
    this.byHash = new Map(keys.map((k) => [k.sha256, k]));
  }

  /** The principal a presented key stands for, or undefined (unknown, malformed or past its notAfter). */
  authenticate(presented: string, now: number): Principal | undefined {
    if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return undefined;
    const entry = this.byHash.get(hashApiKey(presented));
    if (!entry || (entry.notAfter !== undefined && Date.parse(entry.notAfter) <= now)) return undefined;
    return { id: `key:${entry.id}`, kind: 'api-key', roles: entry.roles, ...(entry.level ? { level: entry.level } : {}) };
  }
}

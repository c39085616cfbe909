// Which identifier key a store was written with. Identifiers are stored only as keyed hashes, so a
// store read with another key silently stops matching: history, velocity and graph links all break.
// The store therefore records a fingerprint of its key (a truncated HMAC of a fixed label under the
// key, never the key) and every process that hashes into it (the service, npm run import) checks
// it at start: no fingerprint yet → recorded; the same → fine; another → refused.
//
// After npm run rekey (src/store/rekey.ts) the stored hashes are HMAC(k2, HMAC(k1, value)): new
// values must be hashed through the same chain of keys. The earlier keys are kept in the store
// sealed (AES-256-GCM) under a key derived from the current one, so the operator keeps one secret
// (the current key) and an earlier key on its own opens nothing. docs/security.md, "Key changes".
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AuditStore } from './audit-store';
import { getMeta, setMeta } from './store-meta';

/** Names in the store_meta table. */
export const META = {
  fingerprint: 'identifier_key.fingerprint',
  chain: 'identifier_key.chain',
  rekeys: 'identifier_key.rekeys',
  rekeyInProgress: 'identifier_key.rekey_in_progress',
} as const;

const FINGERPRINT_LABEL = 'identifier-key-fingerprint';
const CHAIN_INFO = 'identifier-key-chain v1';

/** HMAC-SHA256(key, "identifier-key-fingerprint"), first 16 hex digits: names a key without revealing it. */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update(FINGERPRINT_LABEL).digest('hex').slice(0, 16);
}

/** A process may not use the store with this key: the message names the problem and the fix. */
export class IdentifierKeyError extends Error {}

/** One completed key change, as recorded (fingerprints only). */
export interface RekeyRecord {
  readonly at: number;
  readonly from: string;
  readonly to: string;
}

/** The earlier keys, oldest first, encrypted under a key derived from the current key. */
export interface SealedChain {
  readonly v: 1;
  /** How many earlier keys it holds. */
  readonly keys: number;
  /** Their fingerprints, oldest first (for messages; they reveal nothing of the keys). */
  readonly fingerprints: readonly string[];
  readonly salt: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

const getJson = <T>(db: Database.Database, name: string): T | undefined => {
  const text = getMeta(db, name);
  return text === undefined ? undefined : (JSON.parse(text) as T);
};

export function rekeyHistory(db: Database.Database): RekeyRecord[] {
  return getJson<RekeyRecord[]>(db, META.rekeys) ?? [];
}

// ---- sealing ----

function chainCipherKey(currentKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', currentKey, salt, CHAIN_INFO, 32));
}

/** Seals the earlier keys (oldest first) under the current key. */
export function sealChain(previous: readonly Buffer[], currentKey: Buffer): SealedChain {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', chainCipherKey(currentKey, salt), iv);
  cipher.setAAD(Buffer.from(`${CHAIN_INFO} ${keyFingerprint(currentKey)}`));
  const data = Buffer.concat([cipher.update(JSON.stringify(previous.map((k) => k.toString('base64'))), 'utf8'), cipher.final()]);
  return {
    v: 1,
    keys: previous.length,
    fingerprints: previous.map(keyFingerprint),
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** The earlier keys, oldest first; throws IdentifierKeyError when the current key does not open them. */
export function unsealChain(sealed: SealedChain, currentKey: Buffer): Buffer[] {
  try {
    const decipher = createDecipheriv('aes-256-gcm', chainCipherKey(currentKey, Buffer.from(sealed.salt, 'base64')), Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(`${CHAIN_INFO} ${keyFingerprint(currentKey)}`));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    const keys = (JSON.parse(plain) as string[]).map((k) => Buffer.from(k, 'base64'));
    if (keys.length !== sealed.keys) throw new Error('key count differs');
    return keys;
  } catch (err) {
    throw new IdentifierKeyError(`the store's chain of earlier identifier keys cannot be opened with the current key (${(err as Error).message}): the store_meta table is damaged; restore it from a backup`);
  }
}

/** The store's earlier keys (oldest first) opened with its current key, or none. */
export function previousKeys(db: Database.Database, currentKey: Buffer): Buffer[] {
  const sealed = getJson<SealedChain>(db, META.chain);
  return sealed ? unsealChain(sealed, currentKey) : [];
}

// ---- the check at start ----

const day = (at: number) => new Date(at).toISOString().slice(0, 10);
const STORAGE_FAULT = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;

/** What a rekey under way records; read here only to refuse the store meanwhile. */
interface RekeyUnderWay {
  readonly from: string;
  readonly to: string;
  readonly startedAt: number;
}

export interface CheckedKeys {
  /** The key chain to hash with, oldest first; the last is the key given. */
  readonly keys: Buffer[];
  readonly fingerprint: string;
  /** True when this start recorded the fingerprint (a store that had none). */
  readonly recorded: boolean;
}

/**
 * Checks `key` against the store's recorded fingerprint (recording it when there is none) and
 * returns the chain to hash with. Throws IdentifierKeyError when the key is not the store's, or a
 * rekey is under way. `origin` names where the key came from (a setting, a file), for the message.
 */
export function checkIdentifierKey(db: Database.Database, key: Buffer, origin?: string): CheckedKeys {
  const source = `the identifier hash key${origin ? ` (${origin})` : ''}`;
  const given = keyFingerprint(key);
  const underWay = getJson<RekeyUnderWay>(db, META.rekeyInProgress);
  if (underWay) {
    throw new IdentifierKeyError(
      `a rekey of this store (key fingerprint ${underWay.from} → ${underWay.to}) started on ${day(underWay.startedAt)} and has not finished; ` +
        'its identifiers are partly carried over to the new key, so nothing may use the store until it finishes: re-run npm run rekey with the same two keys',
    );
  }
  const stored = getMeta(db, META.fingerprint);
  if (stored === undefined) {
    try {
      setMeta(db, META.fingerprint, given);
    } catch (err) {
      // A full or read-only disk: serve anyway (the store reports its fault); the next start records it.
      if (STORAGE_FAULT.test(String((err as { code?: unknown }).code))) return { keys: [key], fingerprint: given, recorded: false };
      throw err;
    }
    return { keys: [key], fingerprint: given, recorded: true };
  }
  if (stored === given) return { keys: [...previousKeys(db, key), key], fingerprint: given, recorded: false };
  const retired = rekeyHistory(db).find((r) => r.from === given);
  if (retired) {
    throw new IdentifierKeyError(
      `${source} (fingerprint ${given}) is one this store was rekeyed away from on ${day(retired.at)}; ` +
        `the store is now written with the key of fingerprint ${stored}: start with that key (docs/security.md, "Key changes")`,
    );
  }
  throw new IdentifierKeyError(
    `${source} differs from the one this store was written with (fingerprint ${stored}; the key given has fingerprint ${given}); ` +
      'restore the key, or run npm run rekey to carry the store over to the new key (docs/security.md, "Key changes")',
  );
}

/**
 * Opens the audit store file briefly to check the key (see checkIdentifierKey) before anything
 * hashes with it: rule lists are hashed at load, before the service opens its store.
 */
export function checkStoreIdentifierKey(file: string, key: Buffer, origin?: string): CheckedKeys {
  const store = new AuditStore(file);
  try {
    return checkIdentifierKey(store.database, key, origin);
  } finally {
    store.close();
  }
}

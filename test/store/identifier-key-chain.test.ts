// The store knows its identifier key by fingerprint: recorded on first use, accepted when the same,
// refused (with the fix) when another; the earlier keys of a rekeyed store are sealed under the
// current one, and the service, the import and a half-finished rekey are all held to it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store';
import {
  checkIdentifierKey,
  checkStoreIdentifierKey,
  IdentifierKeyError,
  keyFingerprint,
  META,
  sealChain,
  unsealChain,
} from '../../src/store/identifier-key-chain';
import { getMeta, setMeta } from '../../src/store/store-meta';
import { application } from '../support/factories';
import { startTestServer, tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KEY_A = 'a-first-identifier-hash-key-0123456789';
const KEY_B = 'b-other-identifier-hash-key-0123456789';
const A = Buffer.from(KEY_A);
const B = Buffer.from(KEY_B);

const storeFile = () => path.join(tempDir(), 'audit.db');

describe('the identifier key fingerprint', () => {
  it('is recorded on first use, accepted again, and another key is refused naming the fingerprints and the fix', () => {
    const file = storeFile();
    expect(checkStoreIdentifierKey(file, A)).toMatchObject({ keys: [A], recorded: true, fingerprint: keyFingerprint(A) });
    expect(checkStoreIdentifierKey(file, A)).toMatchObject({ keys: [A], recorded: false });
    const refused = () => checkStoreIdentifierKey(file, B, 'IDENTIFIER_HASH_KEY');
    expect(refused).toThrow(IdentifierKeyError);
    expect(refused).toThrow(
      `the identifier hash key (IDENTIFIER_HASH_KEY) differs from the one this store was written with (fingerprint ${keyFingerprint(A)}; the key given has fingerprint ${keyFingerprint(B)}); restore the key, or run npm run rekey`,
    );
  });

  it('is a truncated HMAC of a fixed label: the key itself is nowhere in the store', () => {
    const file = storeFile();
    checkStoreIdentifierKey(file, A);
    const store = new AuditStore(file);
    expect(getMeta(store.database, META.fingerprint)).toMatch(/^[0-9a-f]{16}$/);
    store.close();
    expect(readFileSync(file).includes(Buffer.from(KEY_A))).toBe(false);
  });

  it('refuses everyone while a rekey is under way', () => {
    const file = storeFile();
    checkStoreIdentifierKey(file, A);
    const store = new AuditStore(file);
    setMeta(store.database, META.rekeyInProgress, JSON.stringify({ from: keyFingerprint(A), to: keyFingerprint(B), startedAt: Date.UTC(2026, 0, 2) }));
    expect(() => checkIdentifierKey(store.database, A)).toThrow(/a rekey of this store .* started on 2026-01-02 and has not finished; .*re-run npm run rekey with the same two keys/);
    expect(() => checkIdentifierKey(store.database, B)).toThrow(/has not finished/);
    store.close();
  });
});

describe('the sealed chain of earlier keys', () => {
  it('opens with the current key only, and holds no key in clear', () => {
    const earlier = [Buffer.from('k1-'.repeat(12)), A];
    const sealed = sealChain(earlier, B);
    expect(unsealChain(sealed, B)).toEqual(earlier);
    expect(sealed.fingerprints).toEqual(earlier.map(keyFingerprint));
    const text = JSON.stringify(sealed);
    for (const k of earlier) {
      expect(text).not.toContain(k.toString('utf8'));
      expect(text).not.toContain(k.toString('base64'));
    }
    expect(() => unsealChain(sealed, A)).toThrow(IdentifierKeyError);
  });
});

describe('the service', () => {
  it('started on a store with another key refuses to start, naming the problem and the fix', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: KEY_A } });
    expect((await first.post('/decide', application({ identifiers: { phone: '+86 139 0000 1111' } }))).status).toBe(200);
    await first.close();
    await expect(startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: KEY_B } })).rejects.toThrow(
      /the identifier hash key \(IDENTIFIER_HASH_KEY\) differs from the one this store was written with \(fingerprint [0-9a-f]{16}; .*restore the key, or run npm run rekey/,
    );
    // The right key still serves.
    const again = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: KEY_A } });
    await again.close();
  });

  it('as a process: one "could not start" line with the message, exit 1', async () => {
    const dataDir = tempDir();
    checkStoreIdentifierKey(path.join(dataDir, 'audit.db'), A);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RULES_WATCH: 'false', DATA_DIR: dataDir, IDENTIFIER_HASH_KEY: KEY_B },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += String(c)));
    child.stderr.on('data', (c: Buffer) => (output += String(c)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const fatal = output.split('\n').filter((l) => l.includes('could not start'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain('differs from the one this store was written with');
    expect(output).not.toContain(KEY_B);
  });
});

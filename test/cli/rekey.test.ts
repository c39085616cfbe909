// npm run rekey: a store written under one identifier key is carried over to another; the service
// started with the new key links new applications to the old ones (velocity, graph, idempotent
// retries) and refuses the old key; an interrupted rekey (a batch limit, or a crash inside a batch)
// finishes correctly when re-run, each hash carried over exactly once.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { IdentifierProtector, rekeyedHash } from '../../src/identity/identifiers';
import { AuditStore } from '../../src/store/audit-store';
import { decodeStoredDocument } from '../../src/store/decision-writer';
import { keyFingerprint, META } from '../../src/store/identifier-key-chain';
import { getMeta } from '../../src/store/store-meta';
import { rekeyStore } from '../../src/store/rekey';
import type { Application } from '../../src/decision/application';
import { application } from '../support/factories';
import { copyRules, REPO_RULES, startTestServer, tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const K1 = 'first-identifier-hash-key-for-rekey-tests-1';
const K2 = 'second-identifier-hash-key-for-rekey-tests-2';
const K3 = 'third-identifier-hash-key-for-rekey-tests-33';
const SHARED_PHONE = '+86 139 8888 0001';

function keyFile(dir: string, name: string, key: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return file;
}

async function rekey(dataDir: string, oldKey: string, newKey: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const keys = tempDir('keys-');
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/rekey.ts', '--data-dir', dataDir, '--old-key-file', keyFile(keys, 'old.key', oldKey), '--new-key-file', keyFile(keys, 'new.key', newKey), ...args],
      // Without the tests' own DATABASE_URL, should the environment running them set one.
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: undefined, RULES_DIR: REPO_RULES } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** What the store holds that depends on the key: identifier rows, request fingerprints, documents. */
function snapshot(dataDir: string) {
  const store = new AuditStore(path.join(dataDir, 'audit.db'));
  const db = store.database;
  const identifiers = db.prepare<[], { application_id: string; type: string; hash: string }>('SELECT application_id, type, hash FROM application_identifiers ORDER BY application_id, type').all();
  const decisions = db
    .prepare<[], { decision_id: string; application_id: string; request_fingerprint: string; document: string; record: Buffer | null }>('SELECT decision_id, application_id, request_fingerprint, document, record FROM decisions ORDER BY decision_id')
    .all()
    .map(({ record, ...d }) => ({ ...d, document: decodeStoredDocument({ document: d.document, record }) }));
  const meta = { fingerprint: getMeta(db, META.fingerprint), underWay: getMeta(db, META.rekeyInProgress) };
  // The graph is rebuilt in commit order (rowid): the rekey (and its VACUUM) must keep it.
  const order = db.prepare<[], { rowid: number; decision_id: string }>('SELECT rowid, decision_id FROM decisions ORDER BY rowid').all();
  store.close();
  return { identifiers, decisions, meta, order };
}

/** The snapshot expected after carrying `before` over to `key` exactly once. */
function carriedOver(before: ReturnType<typeof snapshot>, key: string) {
  const k = Buffer.from(key);
  const step = (h: string) => rekeyedHash(k, h);
  return {
    identifiers: before.identifiers.map((r) => ({ ...r, hash: step(r.hash) })),
    fingerprints: before.decisions.map((d) => d.request_fingerprint.replace(/[0-9a-f]{64}$/, step)),
  };
}

/** Decides applications, some sharing SHARED_PHONE, and back-fills two history lines (history: fingerprints); returns what it sent. */
async function writeStore(dataDir: string, key: string, count: number) {
  const server = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: key, GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
  const decided: Application[] = [];
  const submittedAt = new Date(Date.now() - 3_600_000).toISOString();
  const historyLines = [0, 1].map((i) => ({ ...application({ applicationId: `HIST-${i}`, identifiers: { deviceId: 'history-device-0001', phone: `+86 139 6666 000${i}` } }), submittedAt }));
  try {
    for (let i = 0; i < count; i++) {
      const identifiers = {
        phone: i < 2 ? SHARED_PHONE : `+86 139 7777 ${String(1000 + i)}`,
        deviceId: `device-rekey-${i}-abcdef`,
        email: `applicant.${i}@example.com`,
        nationalId: i === 0 ? '11010519491231002X' : `PASSPORT${100000 + i}`,
      };
      const app = application({ applicationId: `OLD-${i}`, identifiers });
      const res = await server.post('/decide', app);
      expect(res.status).toBe(200);
      decided.push(app);
    }
    const history = await server.post('/history', { applications: historyLines });
    expect(history.body).toEqual({ imported: 2, alreadyPresent: 0 });
  } finally {
    await server.close();
  }
  return { decided, historyLines };
}

describe('npm run rekey', () => {
  it('carries the store over: the new key links new applications to old ones, the old key is refused, and a second rekey chains', async () => {
    const dataDir = tempDir();
    const sent = await writeStore(dataDir, K1, 4);
    const before = snapshot(dataDir);

    const result = await rekey(dataDir, K1, K2);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/6 decisions and \d+ identifiers rekeyed; the store's key is now fingerprint [0-9a-f]{16}/);

    // Every key-dependent value was carried over exactly once; no old hash is left anywhere in the file.
    const after = snapshot(dataDir);
    const expected = carriedOver(before, K2);
    expect(after.identifiers).toEqual(expected.identifiers);
    expect(after.decisions.map((d) => d.request_fingerprint)).toEqual(expected.fingerprints);
    expect(after.meta).toEqual({ fingerprint: keyFingerprint(Buffer.from(K2)), underWay: undefined });
    expect(after.order).toEqual(before.order);
    const file = readFileSync(path.join(dataDir, 'audit.db'));
    expect(existsSync(path.join(dataDir, 'audit.db-wal')) ? readFileSync(path.join(dataDir, 'audit.db-wal')).length : 0).toBe(0);
    for (const r of before.identifiers) expect(file.includes(Buffer.from(r.hash)), `old hash of ${r.application_id}.${r.type}`).toBe(false);
    for (const d of before.decisions) expect(file.includes(Buffer.from(d.request_fingerprint.slice(-64)))).toBe(false);
    for (const k of [K1, K2]) expect(file.includes(Buffer.from(k))).toBe(false);
    // Documents are stored compressed, so the file scan above cannot see into them: no old hash in
    // any of them either (decisions' lean records and imported history name none; their identifier rows do).
    for (const d of after.decisions) for (const r of before.identifiers) expect(d.document.includes(r.hash), `${d.application_id} holds an old hash`).toBe(false);
    const newPhoneHash = after.identifiers.find((r) => r.application_id === 'OLD-0' && r.type === 'phone')!.hash;

    // The old key is refused, naming the key to use.
    await expect(startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: K1 } })).rejects.toThrow(/is one this store was rekeyed away from on .*start with that key/);

    // The new key: a new application sharing a phone with old ones links to them.
    const server = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: K2, GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
    try {
      const fresh = await server.post('/decide', application({ applicationId: 'NEW-1', identifiers: { phone: '0086 139-8888-0001' } }));
      expect(fresh.status).toBe(200);
      // The old decision shows its identifiers under the new key: request and facts.
      const old = await server.get(`/decisions/${after.decisions.find((d) => d.application_id === 'OLD-0')!.decision_id}`);
      expect(old.body.request.identifiers.phone.hash).toBe(newPhoneHash);
      expect(old.body.facts.identifiers.phone).toBe(newPhoneHash);
      const stored = await server.get(`/decisions/${fresh.body.decisionId}`);
      // Two earlier applications carry that phone: velocity counts them and this one, the graph links both.
      expect(stored.body.facts.velocity.phone).toBe(3);
      expect(stored.body.facts.fraud.identifierReuse.phone).toBe(2);
      expect(stored.body.facts.fraud.linkedApplications).toBe(2);
      expect(stored.body.request.identifiers.phone.hash).toBe(newPhoneHash);
      // A retry of an old application is still recognised as the same request (its fingerprint was carried over)…
      const first = sent.decided[0] as Application;
      const retry = await server.post('/decide', first);
      expect(retry.status).toBe(200);
      expect(retry.body.applicationId).toBe('OLD-0');
      const conflicting = await server.post('/decide', { ...first, amount: first.amount + 1 });
      expect(conflicting.status).toBe(409);
      // …and so are history lines sent again.
      expect((await server.post('/history', { applications: sent.historyLines })).body).toEqual({ imported: 0, alreadyPresent: 2 });
    } finally {
      await server.close();
    }

    // A second rekey chains: K1 → K2 → K3, and K3 alone still links.
    const second = await rekey(dataDir, K2, K3);
    expect(second.code, second.stderr).toBe(0);
    const again = await rekey(dataDir, K2, K3);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already written with the new key; nothing to do|nothing to do/);
    const third = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: K3, GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
    try {
      const fresh = await third.post('/decide', application({ identifiers: { phone: SHARED_PHONE } }));
      const stored = await third.get(`/decisions/${fresh.body.decisionId}`);
      expect(stored.body.facts.velocity.phone).toBe(4);
      expect(stored.body.facts.fraud.identifierReuse.phone).toBe(3);
      const protector = new IdentifierProtector([K1, K2, K3].map((k) => Buffer.from(k)), { defaultCountryCode: '86' });
      expect(stored.body.request.identifiers.phone.hash).toBe(protector.hash('phone', SHARED_PHONE));
    } finally {
      await third.close();
    }
  });

  it('refuses a wrong old key, a running service, and keys on the command line, changing nothing', async () => {
    const dataDir = tempDir();
    await writeStore(dataDir, K1, 1);
    const before = snapshot(dataDir);
    const wrong = await rekey(dataDir, K3, K2);
    expect(wrong.code).toBe(78);
    expect(wrong.stderr).toMatch(/the old key given \(fingerprint [0-9a-f]{16}\) is not the key this store was written with/);
    const server = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: K1 } });
    try {
      const busy = await rekey(dataDir, K1, K2);
      expect(busy.code).toBe(78);
      expect(busy.stderr).toMatch(/in use by another process.*stop the service before rekeying/);
    } finally {
      await server.close();
    }
    const inline = await run(process.execPath, ['--import', 'tsx', 'src/cli/rekey.ts', '--data-dir', dataDir, '--old-key', K1], { cwd: ROOT }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(inline.code).toBe(2);
    expect(inline.stderr).toMatch(/keys are not taken on the command line/);
    // A replica's store is a copy of the shared database: rekeying it alone is refused.
    const keys = tempDir('keys-');
    const replica = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/rekey.ts', '--data-dir', dataDir, '--old-key-file', keyFile(keys, 'old.key', K1), '--new-key-file', keyFile(keys, 'new.key', K2)],
      { cwd: ROOT, env: { ...process.env, RULES_DIR: REPO_RULES, DATABASE_URL: 'postgres://127.0.0.1:5432/test' } },
    ).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(replica.code).toBe(78);
    expect(replica.stderr).toMatch(/DATABASE_URL is set: replicas sharing PostgreSQL cannot be rekeyed/);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('interrupted after some batches: the store is refused meanwhile, and a re-run finishes with each hash carried over once', async () => {
    const dataDir = tempDir();
    await writeStore(dataDir, K1, 7);
    const before = snapshot(dataDir);
    const part = await rekey(dataDir, K1, K2, '--batch', '2', '--max-batches', '3');
    expect(part.code, part.stderr).toBe(3);
    expect(part.stdout).toMatch(/paused after 3 batch/);
    const half = snapshot(dataDir);
    expect(JSON.parse(half.meta.underWay!)).toMatchObject({ phase: 'decisions', done: { decisions: 6, identifiers: 0 } });
    // Neither key may use a half-carried store.
    for (const key of [K1, K2]) await expect(startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: key } })).rejects.toThrow(/has not finished/);
    // Another pair of keys cannot take over the rekey under way.
    const other = await rekey(dataDir, K1, K3);
    expect(other.code).toBe(78);
    expect(other.stderr).toMatch(/a rekey of this store from key fingerprint .* is under way; re-run it with those two keys/);
    const more = await rekey(dataDir, K1, K2, '--batch', '2', '--max-batches', '4');
    expect(more.code).toBe(3);
    const rest = await rekey(dataDir, K1, K2, '--batch', '2');
    expect(rest.code, rest.stderr).toBe(0);

    const after = snapshot(dataDir);
    const expected = carriedOver(before, K2);
    expect(after.identifiers).toEqual(expected.identifiers);
    expect(after.decisions.map((d) => d.request_fingerprint)).toEqual(expected.fingerprints);
    expect(after.meta.underWay).toBeUndefined();
    const server = await startTestServer({ dataDir, env: { IDENTIFIER_HASH_KEY: K2 } });
    try {
      const fresh = await server.post('/decide', application({ identifiers: { phone: SHARED_PHONE } }));
      expect((await server.get(`/decisions/${fresh.body.decisionId}`)).body.facts.fraud.identifierReuse.phone).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a crash inside a batch rolls that batch back whole; the re-run carries everything over once', async () => {
    const dataDir = tempDir();
    await writeStore(dataDir, K1, 5);
    const before = snapshot(dataDir);
    const file = path.join(dataDir, 'audit.db');
    const options = { oldKey: Buffer.from(K1), newKey: Buffer.from(K2), batchSize: 3 };
    let batches = 0;
    const store = new AuditStore(file);
    expect(() =>
      rekeyStore(store.database, {
        ...options,
        inBatch: (phase) => {
          // The identifier phase's second batch dies after its writes, before its commit.
          if (phase === 'identifiers' && ++batches === 2) throw new Error('crash');
        },
      }),
    ).toThrow('crash');
    store.close();
    const half = snapshot(dataDir);
    const state = JSON.parse(half.meta.underWay!);
    expect(state).toMatchObject({ phase: 'identifiers', done: { decisions: 7, identifiers: 3 } });
    // The first identifier batch is carried over; the crashed one (and the rest) still hold the old hashes.
    expect(half.identifiers.slice(0, 3)).toEqual(carriedOver(before, K2).identifiers.slice(0, 3));
    expect(half.identifiers.slice(3)).toEqual(before.identifiers.slice(3));

    const resumed = new AuditStore(file);
    expect(rekeyStore(resumed.database, options)).toMatchObject({ status: 'done', decisions: 7, identifiers: before.identifiers.length });
    resumed.close();
    const after = snapshot(dataDir);
    expect(after.identifiers).toEqual(carriedOver(before, K2).identifiers);
    expect(after.decisions.map((d) => d.request_fingerprint)).toEqual(carriedOver(before, K2).fingerprints);
  });

  it('npm run import holds to the same key: another key is refused, and after a rekey the new key hashes through the chain', async () => {
    const dataDir = tempDir();
    await writeStore(dataDir, K1, 2);
    const file = path.join(dataDir, 'history.ndjson');
    const line = { ...application({ applicationId: 'IMPORTED-1', identifiers: { phone: SHARED_PHONE } }), submittedAt: new Date(Date.now() - 60_000).toISOString() };
    writeFileSync(file, `${JSON.stringify(line)}\n`);
    const importWith = (key: string) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file], { cwd: ROOT, env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir, RULES_DIR: REPO_RULES, IDENTIFIER_HASH_KEY: key, NODE_ENV: 'test' } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const refused = await importWith(K2);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toMatch(/the identifier hash key \(IDENTIFIER_HASH_KEY\) differs from the one this store was written with .*run npm run rekey/);

    expect((await rekey(dataDir, K1, K2)).code).toBe(0);
    const imported = await importWith(K2);
    expect(imported.code, imported.stderr).toBe(0);
    const after = snapshot(dataDir);
    const phoneOf = (id: string) => after.identifiers.find((r) => r.application_id === id && r.type === 'phone')?.hash;
    expect(phoneOf('IMPORTED-1')).toBe(phoneOf('OLD-0'));
  });

  it('rule lists of precomputed hashes: refused until told, then rewritten in place to match', async () => {
    const dataDir = tempDir();
    await writeStore(dataDir, K1, 1);
    const rulesDir = copyRules();
    const k1 = new IdentifierProtector(Buffer.from(K1), { defaultCountryCode: '86' });
    const listFile = path.join(rulesDir, 'lists', 'blocked-emails.json');
    mkdirSync(path.dirname(listFile), { recursive: true });
    const original = `{\n  // hashes only: no personal data in the rules repository\n  "identifierType": "email",\n  "hashes": ["${k1.hash('email', 'mule@example.com')}"]\n}\n`;
    writeFileSync(listFile, original);

    const untold = await rekey(dataDir, K1, K2, '--rules-dir', rulesDir);
    expect(untold.code).toBe(2);
    expect(untold.stderr).toMatch(/blocked-emails\.json \(1 hashes\) .* --rewrite-lists .* --keep-lists/);
    expect(snapshot(dataDir).meta.underWay).toBeUndefined();

    const done = await rekey(dataDir, K1, K2, '--rules-dir', rulesDir, '--rewrite-lists');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/rewrote the precomputed hashes of lists\/blocked-emails\.json/);
    const chained = new IdentifierProtector([Buffer.from(K1), Buffer.from(K2)], { defaultCountryCode: '86' });
    const rewritten = readFileSync(listFile, 'utf8');
    expect(rewritten).toBe(original.replace(k1.hash('email', 'mule@example.com'), chained.hash('email', 'Mule@Example.com')));
  });
});

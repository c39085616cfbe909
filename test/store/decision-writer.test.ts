// New decisions commit on a worker thread with a connection of its own: durable when the promise
// resolves, grouped while a commit syncs, committed even while the event loop is busy, a failing
// decision failing alone, and a lost thread failing only what it held.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ApplicationExistsError, AuditStore, type DecisionRow } from '../../src/store/audit-store';
import { decodeStoredDocument, encodeStoredDocument, RECORD_DICTIONARY_1 } from '../../src/store/decision-writer';
import { decisionRow } from '../support/factories';
import { tempDir } from '../support/server';

const row = (applicationId: string, overrides: Partial<DecisionRow> = {}) => decisionRow(applicationId, { document: { hello: applicationId }, ...overrides });

const PINNED_DICTIONARY_SHA256 = '87f266e17e9fed4c009bc2fc56f7f90975c65fbe9f759d019aaf35464ad7f2b4';

const reservation = (decisionId: string, amount: number) => ({ decisionId, region: 'east', product: 'personal_loan', amount, pd: 0.05, reservedAt: 1_000, expiresAt: 2_000 });

async function openStore() {
  const file = path.join(tempDir(), 'audit.db');
  const store = new AuditStore(file, { decisionWriter: 'worker' });
  await store.ready();
  return { file, store };
}

describe('the decision writer thread', () => {
  it('commits a decision, its identifiers and its reservation durably: another connection reads them once the promise resolves', async () => {
    const { file, store } = await openStore();
    await store.writeDecision(row('A1'), 'final', reservation('d-A1', 5_000));
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT application_id, status FROM decisions').all()).toEqual([{ application_id: 'A1', status: 'final' }]);
    expect(other.prepare('SELECT amount FROM exposure_reservations').all()).toEqual([{ amount: 5_000 }]);
    expect(other.prepare('SELECT hash FROM application_identifiers').all()).toEqual([{ hash: 'h-A1' }]);
    other.close();
    // And through the store's own reads, the document as given.
    expect(store.getDecision('d-A1')).toMatchObject({ document: { hello: 'A1' }, status: 'final' });
    await store.close();
  });

  it('commits while the event loop is busy: the insert and its fsync are not on the main thread', async () => {
    const { file, store } = await openStore();
    const other = new Database(file, { readonly: true });
    const seen = other.prepare('SELECT 1 FROM decisions WHERE application_id = ?');
    const writing = store.writeDecision(row('BUSY'), 'final');
    // Let the batch leave for the worker, then hold the event loop: only another thread can commit now.
    await new Promise((r) => setImmediate(r));
    const deadline = Date.now() + 10_000;
    let committedMeanwhile = false;
    while (!committedMeanwhile && Date.now() < deadline) committedMeanwhile = seen.get('BUSY') !== undefined;
    expect(committedMeanwhile).toBe(true);
    await writing;
    other.close();
    await store.close();
  });

  it('groups what arrives while a commit syncs: 300 concurrent decisions in far fewer commits, all stored', async () => {
    const { store } = await openStore();
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.writeDecision(row(`G${i}`), 'final')));
    expect(store.countDecisions()).toBe(300);
    expect(store.decisionCommits.decisions).toBe(300);
    expect(store.decisionCommits.commits).toBeLessThan(300 / 5);
    await store.close();
  });

  it('a decision whose application is stored already fails alone (ApplicationExistsError); its batch commits', async () => {
    const { store } = await openStore();
    await store.writeDecision(row('DUP'), 'final');
    const results = await Promise.allSettled([
      store.writeDecision(row('B1'), 'final'),
      store.writeDecision(row('DUP', { decisionId: 'd-DUP-2' }), 'final', reservation('d-DUP-2', 1_000)),
      store.writeDecision(row('B2'), 'final'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ApplicationExistsError);
    expect(store.getDecision('d-DUP-2')).toBeUndefined();
    expect(store.reservation('d-DUP-2')).toBeUndefined();
    expect(store.countDecisions()).toBe(3);
    await store.close();
  });

  it('tells which application is in flight until its commit settles', async () => {
    const { store } = await openStore();
    const writing = store.writeDecision(row('F1'), 'final');
    expect(store.decisionInFlight('F1')).toBeDefined();
    expect(store.decisionInFlight('F2')).toBeUndefined();
    await writing;
    expect(store.decisionInFlight('F1')).toBeUndefined();
    await store.close();
  });

  it('a thread that dies fails what it held (not acknowledged) and a new thread takes the next decisions', async () => {
    const { store } = await openStore();
    const lost: string[] = [];
    store.onWriterLost = (failure) => lost.push(failure.code ?? '');
    const worker = (store as unknown as { writer: { worker: Worker } }).writer.worker;
    const held = store.writeDecision(row('HELD'), 'final');
    await new Promise((r) => setImmediate(r));
    await worker.terminate();
    await expect(held).rejects.toThrow(/decision writer thread exited/);
    expect(lost).toEqual(['WRITER_EXITED']);
    // Not acknowledged, so the caller retries: stored once whether or not the dead thread committed it.
    const retry = await store.writeDecision(row('HELD'), 'final').then(
      () => 'stored',
      (err: unknown) => (err instanceof ApplicationExistsError ? 'stored before' : String(err)),
    );
    expect(['stored', 'stored before']).toContain(retry);
    await store.writeDecision(row('AFTER'), 'final');
    expect(store.findByApplicationId('AFTER')).toBeDefined();
    await store.close();
  });

  it('close waits for what was handed over: every acknowledged-to-be decision is in the file', async () => {
    const { file, store } = await openStore();
    const writes = Array.from({ length: 50 }, (_, i) => store.writeDecision(row(`C${i}`), 'final'));
    await store.close();
    await Promise.all(writes);
    const reopened = new AuditStore(file);
    expect(reopened.countDecisions()).toBe(50);
    await reopened.close();
  });

  it('one process per store: a second store on the same file is refused while the first is open', async () => {
    const { file, store } = await openStore();
    expect(() => new AuditStore(file, { decisionWriter: 'worker' })).toThrow(/in use by another process/);
    await store.close();
    const again = new AuditStore(file, { decisionWriter: 'worker' });
    await again.ready();
    await again.close();
  });
});

describe('stored documents', () => {
  it('round-trip through the codec, and the dictionary is pinned: changing it would make old rows unreadable', () => {
    const json = JSON.stringify({ format: 'decision-record/2', outcome: 'approve', reasons: [], note: 'ünïcode ✓' });
    const record = encodeStoredDocument(json);
    expect(record[0]).toBe(1);
    expect(decodeStoredDocument({ document: '', record })).toBe(json);
    expect(decodeStoredDocument({ document: '{"whole":true}', record: null })).toBe('{"whole":true}');
    expect(() => decodeStoredDocument({ document: '', record: Buffer.from([9, 1, 2]) })).toThrow(/unknown codec \(9\)/);
    // A new dictionary is a new codec byte, never an edit of this one.
    expect(createHash('sha256').update(RECORD_DICTIONARY_1).digest('hex')).toBe(PINNED_DICTIONARY_SHA256);
  });
});

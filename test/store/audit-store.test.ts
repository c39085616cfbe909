import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { AuditStore, MIGRATIONS } from '../../src/store/audit-store';
import { encodeStoredDocument } from '../../src/store/decision-writer';
import { decisionRow } from '../support/factories';
import { tempDir } from '../support/server';

const row = decisionRow;

describe('AuditStore', () => {
  it('commits concurrent units together and survives reopening', async () => {
    const file = path.join(tempDir(), 'audit.db');
    const store = new AuditStore(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit(() => store.insertDecision(row(`A${i}`), 'final'))));
    store.close();
    const reopened = new AuditStore(file);
    expect(reopened.countDecisions()).toBe(50);
    expect(reopened.getDecision('d-A7')).toMatchObject({ document: { hello: 'world' }, status: 'final', currentOutcome: 'approve' });
    expect([...reopened.identifiersSince(0)]).toHaveLength(50);
    reopened.close();
  });

  it('a failing unit rolls back alone; the others in its group commit land', async () => {
    const store = new AuditStore(':memory:');
    const results = await Promise.allSettled([
      store.commit(() => store.insertDecision(row('X'), 'final')),
      store.commit(() => {
        store.insertDecision(row('Y'), 'final');
        throw new Error('rejected after writing');
      }),
      store.commit(() => store.insertDecision(row('Z'), 'final')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(store.findByApplicationId('X')).toBeDefined();
    expect(store.findByApplicationId('Y')).toBeUndefined();
    expect(store.findByApplicationId('Z')).toBeDefined();
    store.close();
  });

  it('a failed commit undoes the in-memory effects of the units that ran', async () => {
    const store = new AuditStore(':memory:');
    let booked = 0;
    const unit = (id: string) =>
      store.commit(
        () => {
          store.insertDecision(row(id), 'final');
          booked += 1;
          return 1;
        },
        (n) => (booked -= n),
      );
    // Two units with the same decision id in one batch: the second fails alone (savepoint).
    const settled = await Promise.allSettled([unit('P'), store.commit(() => store.insertDecision(row('Q', { decisionId: 'd-P' }), 'final'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(booked).toBe(1);
    store.close();
  });

  it('releases a reservation once', async () => {
    const store = new AuditStore(':memory:');
    await store.commit(() => {
      store.insertDecision(row('R'), 'final');
      store.reserve({ decisionId: 'd-R', region: 'east', product: 'p', amount: 100, pd: 0.1, reservedAt: 1, expiresAt: 2 });
    });
    expect(store.liveExposure()).toEqual([{ region: 'east', product: 'p', amount: 100, pd: 0.1 }]);
    expect(await store.commit(() => store.release('d-R', 3, 'cancelled'))).toBe(true);
    expect(await store.commit(() => store.release('d-R', 4, 'cancelled'))).toBe(false);
    expect(store.liveExposure()).toEqual([]);
    store.close();
  });

  it('refuses work after close instead of losing it', async () => {
    const store = new AuditStore(':memory:');
    store.close();
    await expect(store.commit(() => 1)).rejects.toThrow(/closed/);
  });

  it('belongs to one process: a second store on the same file is refused', () => {
    const file = path.join(tempDir(), 'audit.db');
    const first = new AuditStore(file);
    const started = Date.now();
    expect(() => new AuditStore(file)).toThrow(/in use by another process/);
    expect(Date.now() - started).toBeLessThan(10_000);
    first.close();
    new AuditStore(file).close();
  });
});

describe('AuditStore migrations', () => {
  it('brings a store written by an earlier version up to date without losing a decision or an identifier', async () => {
    const file = path.join(tempDir(), 'audit.db');
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 2)) old.exec(sql);
    old.pragma('user_version = 2');
    old.prepare(`INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, document) VALUES ('d-old', 'OLD-1', 'f', 'personal_loan', 'east', 'approve', 'v0', 5, '{}')`).run();
    old.prepare(`INSERT INTO application_identifiers (application_id, type, hash, masked, decided_at) VALUES ('OLD-1', 'phone', 'h-old', '+86 ***', 5)`).run();
    old.close();
    const store = new AuditStore(file);
    expect(store.findByApplicationId('OLD-1')).toMatchObject({ decisionId: 'd-old', fraudEvidence: false, source: 'decided' });
    expect([...store.identifiersSince(0)]).toEqual([{ type: 'phone', hash: 'h-old', at: 5 }]);
    await store.commit(() => store.insertDecision(row('NEW-1', { decidedAt: 6 }), 'final'));
    expect([...store.identifiersSince(0)].map((i) => i.hash)).toEqual(['h-old', 'h-NEW-1']);
    store.close();
  });

  it('gives decisions stored before the review queue their approval level: whole documents and compressed records alike', async () => {
    const file = path.join(tempDir(), 'audit.db');
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 8)) old.exec(sql);
    old.pragma('user_version = 8');
    const insert = old.prepare(
      `INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, document, record, status) VALUES (?, ?, 'f', 'personal_loan', 'east', 'review', 'v0', ?, ?, ?, 'awaiting_review')`,
    );
    insert.run('d-whole', 'WHOLE-1', 5, JSON.stringify({ approvalLevel: 'L2' }), null);
    insert.run('d-lean', 'LEAN-1', 6, '', encodeStoredDocument(JSON.stringify({ format: 'decision-record/2', approvalLevel: 'L3' })));
    old.close();
    const store = new AuditStore(file);
    const ids = (level: string) => store.awaitingReview({ approvalLevel: level }, 'oldest', undefined, 10).decisions.map((d) => d.decisionId);
    expect(ids('L2')).toEqual(['d-whole']);
    expect(ids('L3')).toEqual(['d-lean']);
    await store.close();
  });

  it('retention purges a decision with its loan outcome (the outcome row does not hold it back)', async () => {
    const store = new AuditStore(':memory:');
    await store.commit(() => store.insertDecision(row('OUT-1', { decidedAt: 10 }), 'final'));
    await store.commit(() => store.setLoanOutcome({ decisionId: 'd-OUT-1', status: 'repaid', at: 20, grade: 'A', pd: 0.01, recordedBy: 'key:los', recordedAt: 30 }));
    const candidates = store.decisionsBefore(100, undefined, 10);
    expect(await store.commit(() => store.purgeDecisions(candidates))).toHaveLength(1);
    expect(store.loanOutcome('d-OUT-1')).toBeUndefined();
    expect(store.getDecision('d-OUT-1')).toBeUndefined();
    await store.close();
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditStore, type DecisionRow } from '../../src/store/audit-store';
import { tempDir } from '../support/server';

const row = (applicationId: string, overrides: Partial<DecisionRow> = {}): DecisionRow => ({
  decisionId: `d-${applicationId}`,
  applicationId,
  requestFingerprint: 'f',
  product: 'personal_loan',
  region: 'east',
  outcome: 'approve',
  rulesVersion: 'v1',
  decidedAt: 1_000,
  identifiers: [{ type: 'phone', hash: 'h', masked: '+86 ***' }],
  document: { hello: 'world' },
  ...overrides,
});

describe('AuditStore', () => {
  it('commits concurrent appends together and survives reopening', async () => {
    const file = path.join(tempDir(), 'audit.db');
    const store = new AuditStore(file);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(row(`A${i}`))));
    expect(results.every((r) => r.status === 'inserted')).toBe(true);
    store.close();
    const reopened = new AuditStore(file);
    expect(reopened.countDecisions()).toBe(50);
    expect(reopened.getDecision('d-A7')?.document).toEqual({ hello: 'world' });
    expect([...reopened.identifiersSince(0)]).toHaveLength(50);
    reopened.close();
  });

  it('keeps the first decision of an application id and returns it to later appends', async () => {
    const store = new AuditStore(':memory:');
    const [first, second] = await Promise.all([store.append(row('X', { decisionId: 'd1' })), store.append(row('X', { decisionId: 'd2' }))]);
    expect(first).toEqual({ status: 'inserted' });
    expect(second?.status === 'exists' && second.existing.decisionId).toBe('d1');
    expect(store.findByApplicationId('X')?.decisionId).toBe('d1');
    store.close();
  });

  it('refuses appends after close instead of losing them', async () => {
    const store = new AuditStore(':memory:');
    store.close();
    await expect(store.append(row('Y'))).rejects.toThrow(/closed/);
  });
});

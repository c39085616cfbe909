import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditStore, type DecisionRow } from '../../src/store/audit-store';
import { GraphStore } from '../../src/store/graph-store';
import { tempDir } from '../support/server';

const row = (applicationId: string, identifiers: DecisionRow['identifiers'], decidedAt = 1_000): DecisionRow => ({
  decisionId: `d-${applicationId}`,
  applicationId,
  requestFingerprint: 'f',
  product: 'personal_loan',
  region: 'east',
  outcome: 'review',
  rulesVersion: 'v1',
  decidedAt,
  identifiers,
  document: {},
  fraudEvidence: false,
  source: 'decided',
});

describe('GraphStore', () => {
  it('reads every decided application with its identifier hashes and masked forms, in commit order', async () => {
    const store = new AuditStore(':memory:');
    const graphStore = new GraphStore(store.database);
    await store.commit(() => store.insertDecision(row('B', [{ type: 'phone', hash: 'h1', masked: '+86 ***' }, { type: 'deviceId', hash: 'h2', masked: 'dev…' }], 2_000), 'final'));
    await store.commit(() => store.insertDecision(row('A', [], 1_000), 'final'));
    const apps = [...graphStore.applications()];
    expect(apps.map((a) => a.applicationId)).toEqual(['B', 'A']);
    expect(apps[0]).toEqual({
      applicationId: 'B',
      decidedAt: 2_000,
      outcome: 'review',
      fraudEvidence: false,
      region: 'east',
      product: 'personal_loan',
      identifiers: [
        { type: 'deviceId', hash: 'h2', masked: 'dev…' },
        { type: 'phone', hash: 'h1', masked: '+86 ***' },
      ],
    });
    expect(apps[1]?.identifiers).toEqual([]);
    store.close();
  });

  it('keeps every label (the audit trail) and answers the latest per application; survives reopening', () => {
    const file = path.join(tempDir(), 'audit.db');
    const store = new AuditStore(file);
    const labels = new GraphStore(store.database);
    labels.addLabel({ applicationId: 'A', label: 'fraud', by: 'inv-1', note: 'mule account', at: 10 });
    labels.addLabel({ applicationId: 'B', label: 'fraud', by: 'inv-1', at: 11 });
    labels.addLabel({ applicationId: 'A', label: 'legit', by: 'inv-2', note: 'cleared on appeal', at: 12 });
    store.close();
    const reopened = new AuditStore(file);
    const again = new GraphStore(reopened.database);
    expect(again.currentLabels().map((l) => [l.applicationId, l.label])).toEqual([
      ['B', 'fraud'],
      ['A', 'legit'],
    ]);
    expect(again.labelHistory('A')).toMatchObject([
      { label: 'fraud', by: 'inv-1', note: 'mule account', labelledAt: 10 },
      { label: 'legit', by: 'inv-2', note: 'cleared on appeal', labelledAt: 12 },
    ]);
    reopened.close();
  });
});

// Concurrent requests through multi-priority rules: no run may skip a rule.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { copyRules, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  const rulesDir = copyRules();
  const reasons = JSON.parse((await import('node:fs')).readFileSync(path.join(rulesDir, 'reasons.json'), 'utf8'));
  const rules = Array.from({ length: 25 }, (_, i) => {
    reasons.reasons[`TRACE_${i}`] = { message: `trace ${i}` };
    return {
      name: `trace-${i}`,
      priority: 1 + (i % 5),
      conditions: { all: [{ fact: 'velocity', path: '$.phone', operator: 'greaterThanInclusive', value: 0 }] },
      event: { type: 'flag', params: { reason: `TRACE_${i}` } },
    };
  });
  writeFileSync(path.join(rulesDir, 'reasons.json'), JSON.stringify(reasons));
  writeFileSync(
    path.join(rulesDir, 'flows', 'traced_loan.json'),
    JSON.stringify({
      product: 'traced_loan',
      budgetMs: 5000,
      stages: [{ stage: 'fraud', budgetMs: 5000, fallback: { outcome: 'review', reason: 'FRAUD_CHECK_UNAVAILABLE' }, rules }],
    }),
  );
  server = await startTestServer({ rulesDir });
});
afterAll(async () => {
  await server.close();
});

describe('rule evaluation under concurrency', () => {
  it('200 concurrent decisions over 25 rules in 5 priorities each fire all 25', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => server.post('/decide', application({ product: 'traced_loan' }))));
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.body.reasons).toHaveLength(25);
    }
  });
});

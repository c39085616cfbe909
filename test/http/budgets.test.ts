// A stage that hangs or fails takes its declared fallback; the service still answers in budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    overrides: {
      providers: {
        // The fraud stage never answers: its 30 ms budget (rules/flows/personal_loan.json) cuts it off.
        fraud: () => new Promise(() => {}),
      },
    },
  });
});
afterAll(async () => {
  await server.close();
});

describe('stage budgets over HTTP', () => {
  it('answers with the fallback outcome and reason, records it, and counts it', async () => {
    const started = performance.now();
    const res = await server.post('/decide', application());
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeLessThan(300); // the flow's total budget
    expect(res.body.outcome).toBe('review');
    expect(res.body.reasons).toEqual([{ code: 'FRAUD_CHECK_UNAVAILABLE', stage: 'fraud', message: expect.any(String) }]);

    const stored = await server.get(`/decisions/${res.body.decisionId}`);
    expect(stored.body.stages[1]).toMatchObject({ stage: 'fraud', status: 'fallback', fallback: { cause: 'timeout', reason: 'FRAUD_CHECK_UNAVAILABLE' } });
    const metrics: string = (await server.get('/metrics')).body;
    expect(metrics).toMatch(/decision_stage_fallbacks_total\{stage="fraud",cause="timeout"\} 1/);
  });
});

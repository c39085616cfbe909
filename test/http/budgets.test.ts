// A stage that hangs takes its declared fallback; the service still answers, records why and counts it.
// How fast it answers is a figure for `npm run bench`, not an assertion here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { copyRules, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    // The fraud stage keeps its shipped 30 ms budget (rules/flows/personal_loan.json), which cuts
    // off the hanging provider below; every other stage gets the tests' generous budgets, so a
    // stall on a loaded machine cannot add a second fallback.
    rulesDir: copyRules({ keepStageBudgets: ['fraud'] }),
    overrides: {
      providers: {
        fraud: () => new Promise(() => {}), // never answers
      },
    },
  });
});
afterAll(async () => {
  await server.close();
});

describe('stage budgets over HTTP', () => {
  it('answers with the fallback outcome and reason, records it, and counts it', async () => {
    const res = await server.post('/decide', application());
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('review');
    expect(res.body.reasons).toEqual([{ code: 'FRAUD_CHECK_UNAVAILABLE', stage: 'fraud', message: expect.any(String) }]);

    const stored = await server.get(`/decisions/${res.body.decisionId}`);
    expect(stored.body.stages[1]).toMatchObject({ stage: 'fraud', status: 'fallback', fallback: { cause: 'timeout', reason: 'FRAUD_CHECK_UNAVAILABLE' } });
    expect(stored.body.stages[1].fallback.detail).toBe('stage exceeded its 30 ms budget');
    const metrics: string = (await server.get('/metrics')).body;
    expect(metrics).toMatch(/decision_stage_fallbacks_total\{stage="fraud",cause="timeout"\} 1/);
  });
});

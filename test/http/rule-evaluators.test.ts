// Which evaluator each stage runs on is visible (GET /rules), and the switch operators can pull
// (RULES_EVALUATOR=json-rules-engine) gives the same decisions as the compiled default.
import { afterEach, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type StageEvaluators = Record<string, { stage: string; evaluator: string; note?: string }[]>;

const decisionOf = (body: { outcome: string; approvalLevel: string; reasons: { code: string; rule?: string }[] }) => ({
  outcome: body.outcome,
  approvalLevel: body.approvalLevel,
  reasons: body.reasons.map((r) => `${r.code}/${r.rule ?? ''}`),
});

const APPLICATIONS = [
  application({ applicationId: 'EV-1' }),
  application({ applicationId: 'EV-2', amount: 25_000 }),
  application({ applicationId: 'EV-3', amount: 12_000, applicant: { ...application().applicant, installmentRatePct: 4, existingCredits: 4 } }),
  application({ applicationId: 'EV-4', product: 'micro_loan', amount: 5_000, termMonths: 2 }),
];

describe('rule evaluators', () => {
  it('runs every shipped stage compiled, says so in GET /rules, and decides as json-rules-engine does when switched to it', async () => {
    server = await startTestServer();
    const rules = await server.get('/rules');
    const evaluators = rules.body.evaluators as StageEvaluators;
    expect(Object.keys(evaluators).sort()).toEqual(['micro_loan', 'personal_loan']);
    for (const stages of Object.values(evaluators)) for (const s of stages) expect(s, s.stage).toEqual({ stage: s.stage, evaluator: 'compiled' });
    const compiled = [];
    for (const app of APPLICATIONS) compiled.push(decisionOf((await server.as('los').post('/decide', app)).body));
    await server.close();

    server = await startTestServer({ env: { RULES_EVALUATOR: 'json-rules-engine' } });
    const reference = (await server.get('/rules')).body.evaluators as StageEvaluators;
    for (const stages of Object.values(reference)) {
      for (const s of stages) expect(s).toEqual({ stage: s.stage, evaluator: 'json-rules-engine', note: 'RULES_EVALUATOR=json-rules-engine' });
    }
    const referenceDecisions = [];
    for (const app of APPLICATIONS) referenceDecisions.push(decisionOf((await server.as('los').post('/decide', app)).body));
    expect(referenceDecisions).toEqual(compiled);
    expect(new Set(compiled.map((d) => d.outcome)).size, 'the applications reach more than one outcome').toBeGreaterThan(1);
  });
});

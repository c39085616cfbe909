// Shadow flows on the running service: an analyst drops rules/shadow/personal_loan.json (the flow
// with applicants under 30 declined) beside the champion; callers get the champion's answers, the
// challenger's are stored beside them and reported; moving the file into flows/ promotes it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { copyRules, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let rulesDir: string;
/** Decision id → [applicant age, answered outcome]. */
const answered = new Map<string, [number, string]>();

/** Waits for the challengers of the decisions made so far (they run after each answer). */
async function reportOnceShadowed(decisions: number) {
  const until = Date.now() + 30_000;
  for (;;) {
    const res = await server.as('analyst').get('/shadow/report?product=personal_loan');
    expect(res.status).toBe(200);
    if (res.body.decisions >= decisions) return res.body;
    if (Date.now() > until) throw new Error(`only ${res.body.decisions} of ${decisions} shadow results stored`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  rulesDir = copyRules();
  mkdirSync(path.join(rulesDir, 'shadow'));
  writeFileSync(path.join(rulesDir, 'shadow/personal_loan.json'), readFileSync(path.join(rulesDir, 'flows/personal_loan.json'), 'utf8').replace('"< 21"', '"< 30"'));
  server = await startTestServer({ rulesDir, env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
  for (let i = 0; i < 16; i++) {
    const age = 19 + i;
    const res = await server.post('/decide', application({ applicationId: `SHH-${i}`, region: i % 2 ? 'east' : 'north', amount: 1_000 + 300 * i, applicant: { age }, identifiers: { phone: `+86 139 6666 ${String(1000 + i)}` } }));
    expect(res.status).toBe(200);
    expect(res.body.shadow).toBeUndefined();
    answered.set(res.body.decisionId, [age, res.body.outcome]);
  }
});
afterAll(() => server?.close());

describe('a shadow flow', () => {
  it("answers with the champion: applicants aged 21–29 are not declined for age, whatever the challenger says", () => {
    const young = [...answered.values()].filter(([age]) => age >= 21 && age < 30);
    expect(young.some(([, outcome]) => outcome !== 'decline')).toBe(true);
  });

  it('reports agreement and the transition matrix, by region, and shows the challenger beside each decision', async () => {
    const report = await reportOnceShadowed(answered.size);
    const moved = [...answered].filter(([, [age, outcome]]) => age >= 21 && age < 30 && outcome !== 'decline');
    expect(report).toMatchObject({ product: 'personal_loan', decisions: answered.size, decided: answered.size, failed: 0, timedOut: 0, disagreements: moved.length });
    expect(Object.entries(report.transitions).filter(([k]) => k.endsWith('->decline') && !k.startsWith('decline->')).reduce((n, [, v]) => n + (v as number), 0)).toBe(moved.length);
    expect(report.agreement).toBeCloseTo((answered.size - moved.length) / answered.size, 4);
    expect(report.regions.map((r: { region: string }) => r.region)).toEqual(['east', 'north']);

    const [decisionId, [, outcome]] = moved[0] as [string, [number, string]];
    const view = await server.as('analyst').get(`/decisions/${decisionId}`);
    expect(view.body).toMatchObject({ outcome, shadow: { status: 'decided', outcome: 'decline', reasons: expect.arrayContaining(['AGE_BELOW_MINIMUM']) } });
    const metrics = await server.as('monitoring').get('/metrics');
    expect(metrics.body).toContain(`shadow_decisions_total{product="personal_loan",result="disagree"} ${moved.length}`);
  });

  it('is promoted by moving the file into flows/: the next decisions are its, and nothing shadows them', async () => {
    renameSync(path.join(rulesDir, 'shadow/personal_loan.json'), path.join(rulesDir, 'flows/personal_loan.json'));
    await server.service.rules.reload();
    expect(server.service.rules.current.challengers.size).toBe(0);
    const res = await server.post('/decide', application({ applicationId: 'SHH-promoted', applicant: { age: 25 }, identifiers: { phone: '+86 139 6666 2000' } }));
    expect(res.body.outcome).toBe('decline');
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('AGE_BELOW_MINIMUM');
    expect((await server.as('analyst').get(`/decisions/${res.body.decisionId}`)).body.shadow).toBeUndefined();
  });

  it('refuses a report without a product, for a product with no flow, and to callers who are not analysts', async () => {
    expect((await server.as('analyst').get('/shadow/report')).body.error.details).toEqual([{ path: 'product', message: 'is required' }]);
    expect((await server.as('analyst').get('/shadow/report?product=car_loan')).body.error.code).toBe('UNKNOWN_PRODUCT');
    expect((await server.as('analyst').get('/shadow/report?product=personal_loan&from=soon')).body.error.details).toEqual([{ path: 'from', message: 'an ISO 8601 date or date-time' }]);
    expect((await server.as('los').get('/shadow/report?product=personal_loan')).status).toBe(403);
  });
});

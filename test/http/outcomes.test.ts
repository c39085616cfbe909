// Loan outcomes fed back: how an approved loan turned out, idempotent, only moving forward, in
// the decision's history, and calibration (observed bad rate against predicted PD) by grade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
});
afterAll(() => server.close());

const soon = () => new Date().toISOString();
const metric = async (name: string) => ((await server.as('monitoring').get('/metrics')).body as string).split('\n').filter((l) => l.startsWith(name));

describe('POST /decisions/:id/outcome', () => {
  it('records a default, answers the same report again without change, moves it on to written off, and refuses going back to repaid', async () => {
    const decided = await server.as('los').post('/decide', application());
    expect(decided.body.outcome).toBe('approve');
    await new Promise((r) => setTimeout(r, 5));
    const at = soon();
    const first = await server.as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'defaulted', at });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ decisionId: decided.body.decisionId, changed: true, outcome: { status: 'defaulted', at, grade: decided.body.score.grade, pd: decided.body.score.pd, recordedBy: 'key:los' } });
    const again = await server.as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'defaulted', at });
    expect(again.body).toMatchObject({ changed: false, outcome: { status: 'defaulted' } });
    const later = await server.as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'written_off', at: soon() });
    expect(later.body).toMatchObject({ changed: true, outcome: { status: 'written_off', grade: decided.body.score.grade } });
    const back = await server.as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'repaid', at: soon() });
    expect(back.status).toBe(409);
    expect(back.body.error.details[0].message).toMatch(/turned out written_off already; repaid is not a later status/);
    const history = (await server.get(`/decisions/${decided.body.decisionId}`)).body.history;
    expect(history.map((h: { type: string; detail: { status: string } }) => `${h.type}:${h.detail.status}`)).toEqual(['outcome_recorded:defaulted', 'outcome_recorded:written_off']);

    // Calibration by the grade it was approved at: one loan, bad; two outcome reports counted.
    const grade = decided.body.score.grade as string;
    expect(await metric(`loan_observed_bad_rate{grade="${grade}"}`)).toEqual([`loan_observed_bad_rate{grade="${grade}"} 1`]);
    expect(await metric(`loan_predicted_pd{grade="${grade}"}`)).toEqual([`loan_predicted_pd{grade="${grade}"} ${decided.body.score.pd}`]);
    expect(await metric('loan_outcomes_total{status="defaulted"}')).toEqual(['loan_outcomes_total{status="defaulted"} 1']);
    expect(await metric('loan_outcomes_total{status="written_off"}')).toEqual(['loan_outcomes_total{status="written_off"} 1']);
  });

  it('a repaid loan lowers its grade\'s bad rate', async () => {
    const decided = await server.as('los').post('/decide', application());
    const grade = decided.body.score.grade as string;
    await new Promise((r) => setTimeout(r, 5));
    expect((await server.as('los').post(`/decisions/${decided.body.decisionId}/outcome`, { status: 'repaid', at: soon() })).status).toBe(200);
    const [line] = await metric(`loan_observed_bad_rate{grade="${grade}"}`);
    expect(Number(line?.split(' ')[1])).toBeLessThan(1);
  });

  it('refuses what is not an approved loan, times outside its life, bad bodies, unknown and other callers\' decisions', async () => {
    const declined = await server.as('los').post('/decide', application({ applicant: { age: 18 } }));
    expect(declined.body.outcome).toBe('decline');
    await new Promise((r) => setTimeout(r, 5));
    const notLoan = await server.as('los').post(`/decisions/${declined.body.decisionId}/outcome`, { status: 'repaid', at: soon() });
    expect(notLoan.status).toBe(409);
    expect(notLoan.body.error.details[0].message).toMatch(/is not an approved loan/);
    const approved = await server.as('los').post('/decide', application());
    const future = await server.as('los').post(`/decisions/${approved.body.decisionId}/outcome`, { status: 'repaid', at: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.status).toBe(409);
    const before = await server.as('los').post(`/decisions/${approved.body.decisionId}/outcome`, { status: 'repaid', at: '2000-01-01T00:00:00Z' });
    expect(before.status).toBe(409);
    const bad = await server.as('los').post(`/decisions/${approved.body.decisionId}/outcome`, { status: 'late', at: 'yesterday', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['at', 'extra', 'status']);
    const badTime = await server.as('los').post(`/decisions/${approved.body.decisionId}/outcome`, { status: 'repaid', at: 'yesterday' });
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.details).toEqual([{ path: 'at', message: expect.stringMatching(/date-time/) }]);
    expect((await server.as('los').post('/decisions/00000000-0000-7000-8000-000000000000/outcome', { status: 'repaid', at: soon() })).status).toBe(404);
    expect((await server.as('otherLos').post(`/decisions/${approved.body.decisionId}/outcome`, { status: 'repaid', at: soon() })).status).toBe(404);
    expect((await server.as('analyst').post(`/decisions/${approved.body.decisionId}/outcome`, { status: 'repaid', at: soon() })).status).toBe(403);
  });
});

// Staged approval over HTTP: who may sign, and the states a decision moves through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** Grade C at 12,000: the matrix sends it to review at L2. */
const needsL2 = () =>
  application({ amount: 12_000, termMonths: 24, applicant: { checkingAccountStatus: 'none', creditHistory: 'paid_duly', savingsAccountBonds: 'lt_100' } });

describe('staged approval authority', () => {
  it('an approvable application above automatic authority goes to review at the required level', async () => {
    const res = await server.post('/decide', needsL2());
    expect(res.body).toMatchObject({ outcome: 'review', approvalLevel: 'L2', score: { grade: 'C' } });
    expect(res.body.reasons[0]).toMatchObject({ code: 'APPROVAL_LEVEL_REQUIRED', stage: 'approval', rule: 'approval-level-required' });
    const stored = await server.get(`/decisions/${res.body.decisionId}`);
    expect(stored.body).toMatchObject({ status: 'awaiting_review', currentOutcome: 'review', history: [], reservation: null });
    expect(stored.body.facts.approval).toMatchObject({ requiredLevel: 'L2', matrixLevel: 'L2', amountBand: 2 });
  });

  it('refuses a reviewer below the required level (403), accepts one at it, and records the history', async () => {
    const { body: decision } = await server.post('/decide', needsL2());
    const low = await server.as('reviewerL1').post(`/decisions/${decision.decisionId}/review`, { outcome: 'approve' });
    expect(low.status).toBe(403);
    expect(low.body.error).toMatchObject({ code: 'INSUFFICIENT_AUTHORITY', details: [{ path: 'level', message: expect.stringContaining('needs sign-off at L2 or above') }] });

    const signed = await server.as('reviewerL3').post(`/decisions/${decision.decisionId}/review`, { outcome: 'approve', note: 'verified income' });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({
      outcome: 'review',
      status: 'final',
      currentOutcome: 'approve',
      history: [{ type: 'signed_off', detail: { reviewer: 'key:reviewerL3', level: 'L3', outcome: 'approve', note: 'verified income' } }],
      reservation: { region: 'east', amount: decision.offer.limit, releasedAt: null },
    });
  });

  it('a final decision cannot be signed again (409); nor can an automatic approval', async () => {
    const { body: decision } = await server.post('/decide', needsL2());
    expect((await server.as('reviewerL2').post(`/decisions/${decision.decisionId}/review`, { outcome: 'decline' })).status).toBe(200);
    const again = await server.as('reviewerL3').post(`/decisions/${decision.decisionId}/review`, { outcome: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DECISION_STATE_CONFLICT');
    const declined = await server.get(`/decisions/${decision.decisionId}`);
    expect(declined.body).toMatchObject({ status: 'final', currentOutcome: 'decline', reservation: null });

    const automatic = await server.post('/decide', application());
    expect(automatic.body.outcome).toBe('approve');
    expect((await server.as('reviewerL3').post(`/decisions/${automatic.body.decisionId}/review`, { outcome: 'decline' })).status).toBe(409);
  });

  it('two reviewers signing at once: one wins, the other gets 409', async () => {
    const { body: decision } = await server.post('/decide', needsL2());
    const results = await Promise.all(
      (['reviewerL3', 'otherReviewerL3'] as const).map((reviewer, i) => server.as(reviewer).post(`/decisions/${decision.decisionId}/review`, { outcome: i ? 'decline' : 'approve' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('bad sign-off bodies are 400s naming the field; unknown decisions 404', async () => {
    const { body: decision } = await server.post('/decide', needsL2());
    const bad = await server.as('reviewerL3').post(`/decisions/${decision.decisionId}/review`, { outcome: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['outcome']);
    expect((await server.as('reviewerL3').post('/decisions/nope/review', { outcome: 'approve' })).status).toBe(404);
  });

  it('who signs and at what level come from the credential: a body naming them is refused, and no other role may sign', async () => {
    const { body: decision } = await server.post('/decide', needsL2());
    // Mallory, holding an L1 key, claims to be an L3 reviewer in the body.
    const claimed = await server.as('reviewerL1').post(`/decisions/${decision.decisionId}/review`, { reviewer: 'boss', level: 'L3', outcome: 'approve' });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['level', 'reviewer']);
    for (const caller of ['admin', 'los', 'investigator', 'analyst'] as const) {
      expect((await server.as(caller).post(`/decisions/${decision.decisionId}/review`, { outcome: 'approve' })).body.error.code).toBe('FORBIDDEN');
    }
    expect((await server.get(`/decisions/${decision.decisionId}`)).body.status).toBe('awaiting_review');
  });
});

// The review queue: what waits for a reviewer, oldest first, by level, region and product, in
// pages; an origination system sees only its own; a sign-off takes a decision out of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
/** Grade C at 12,000: the matrix sends it to review at L2. */
const needsL2 = (region: string) =>
  application({ region, amount: 12_000, termMonths: 24, applicant: { checkingAccountStatus: 'none', creditHistory: 'paid_duly', savingsAccountBonds: 'lt_100' } });
const queued: { decisionId: string; region: string }[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
  for (const [i, region] of ['east', 'north', 'east', 'south', 'east'].entries()) {
    const res = await server.as(i === 4 ? 'otherLos' : 'los').post('/decide', needsL2(region));
    expect(res.body).toMatchObject({ outcome: 'review', approvalLevel: 'L2' });
    queued.push({ decisionId: res.body.decisionId, region });
    // An approval in between: never in the queue.
    expect((await server.post('/decide', application({ region }))).body.outcome).toBe('approve');
  }
});
afterAll(() => server.close());

const ids = (body: { decisions: { decisionId: string }[] }) => body.decisions.map((d) => d.decisionId);

describe('GET /decisions?status=awaiting_review', () => {
  it('lists what waits, oldest first, with why it waits and the level it needs', async () => {
    const res = await server.as('reviewerL2').get('/decisions?status=awaiting_review');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(queued.map((q) => q.decisionId));
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.decisions[0]).toMatchObject({
      approvalLevel: 'L2',
      outcome: 'review',
      amount: 12_000,
      region: 'east',
      product: 'personal_loan',
      caller: 'key:los',
      reasons: expect.arrayContaining([expect.objectContaining({ code: 'APPROVAL_LEVEL_REQUIRED', stage: 'approval' })]),
    });
    expect(ids((await server.as('reviewerL2').get('/decisions?status=awaiting_review&sort=newest')).body)).toEqual(queued.map((q) => q.decisionId).reverse());
  });

  it('filters by region, product and approval level, and pages with a cursor', async () => {
    const east = await server.as('reviewerL2').get('/decisions?status=awaiting_review&region=east&approvalLevel=L2&product=personal_loan');
    expect(ids(east.body)).toEqual(queued.filter((q) => q.region === 'east').map((q) => q.decisionId));
    expect((await server.as('reviewerL2').get('/decisions?status=awaiting_review&approvalLevel=L3')).body.decisions).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { decisions: { decisionId: string }[]; nextCursor: string | null } } = await server.as('reviewerL2').get(`/decisions?status=awaiting_review&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.decisions.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(queued.map((q) => q.decisionId));
  });

  it('gives an origination system only its own, and finds one application by its id', async () => {
    const own = await server.as('otherLos').get('/decisions?status=awaiting_review');
    expect(ids(own.body)).toEqual([queued[4]?.decisionId]);
    const byId = await server.as('reviewerL2').get(`/decisions?applicationId=${encodeURIComponent((await server.get(`/decisions/${queued[1]?.decisionId}`)).body.applicationId)}`);
    expect(ids(byId.body)).toEqual([queued[1]?.decisionId]);
    expect(byId.body.decisions[0]).toMatchObject({ status: 'awaiting_review', currentOutcome: 'review' });
    const notTheirs = await server.as('otherLos').get(`/decisions?applicationId=${encodeURIComponent((await server.get(`/decisions/${queued[1]?.decisionId}`)).body.applicationId)}`);
    expect(notTheirs.body.decisions).toEqual([]);
    expect((await server.as('investigator').get('/decisions?status=awaiting_review')).status).toBe(403);
  });

  it('drops a decision once it is signed off', async () => {
    const first = queued[0]?.decisionId as string;
    expect((await server.as('reviewerL2').post(`/decisions/${first}/review`, { outcome: 'decline' })).status).toBe(200);
    expect(ids((await server.as('reviewerL2').get('/decisions?status=awaiting_review')).body)).not.toContain(first);
  });

  it('names every bad parameter at once', async () => {
    const res = await server.as('reviewerL2').get('/decisions?status=final&approvalLevel=L9&sort=up&limit=0&cursor=x&colour=red');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['approvalLevel', 'colour', 'cursor', 'limit', 'sort', 'status']);
    expect((await server.as('reviewerL2').get('/decisions?applicationId=A&region=east')).body.error.details).toEqual([{ path: 'region', message: 'not with applicationId (it names one decision)' }]);
  });
});

// Regional exposure limits over HTTP: never overshoot under concurrency, release exactly once,
// expire undrawn approvals, and obey a lowered limit without touching the ledger.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { copyRules, startTestServer, type TestServer } from '../support/server';

function rulesWithRegions(edit: (regions: any) => void): string {
  const dir = copyRules();
  const file = path.join(dir, 'limits', 'regions.json');
  const regions = JSON.parse(readFileSync(file, 'utf8'));
  edit(regions);
  writeFileSync(file, JSON.stringify(regions));
  return dir;
}

const region = async (server: TestServer, name: string) =>
  ((await server.get('/limits/regions')).body.regions as { region: string }[]).find((r) => r.region === name) as any;

describe('regional exposure limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      rulesDir: rulesWithRegions((r) => {
        r.regions.tight = { limit: 100_000, warnAt: 0.95 };
        r.regions.roomy = { limit: 10_000_000, warnAt: 0.9 };
        r.regions.shrinking = { limit: 10_000, warnAt: 0.9 };
      }),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('1,000 concurrent approvals against a limit that fits exactly 100: exactly 100 approved, ledger = their sum', async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, () => server.post('/decide', application({ region: 'tight', amount: 1_000 }))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const approved = results.filter((r) => r.body.outcome === 'approve');
    expect(approved).toHaveLength(100);
    const offered = approved.reduce((sum, r) => sum + r.body.offer.limit, 0);
    const tight = await region(server, 'tight');
    expect(tight).toMatchObject({ limit: 100_000, reserved: offered, liveApprovals: 100, status: 'full', available: 0 });
    expect(offered).toBe(100_000);
    const turnedAway = results.filter((r) => r.body.outcome !== 'approve');
    expect(turnedAway.every((r) => r.body.outcome === 'review' && r.body.reasons.some((x: { code: string }) => x.code === 'REGION_LIMIT_EXCEEDED'))).toBe(true);
    expect(turnedAway.every((r) => r.body.approvalLevel === 'L3')).toBe(true);
    // Approvals that bring utilisation to 95% or more (the 95th to the 100th) carry the warning.
    expect(approved.filter((r) => r.body.reasons.some((x: { code: string }) => x.code === 'REGION_LIMIT_NEAR')).length).toBe(6);
    expect((await server.get('/metrics')).body).toMatch(/region_limit_near_total\{region="tight"\} 6/);
  });

  it('cancel refuses a body that is not JSON (a form on any web page could send one), and free text that hides characters', async () => {
    const decided = await server.post('/decide', application({ region: 'east', amount: 1_500 }));
    expect(decided.body.outcome).toBe('approve');
    const form = await server.raw(`/decisions/${decided.body.decisionId}/cancel`, 'by=mallory', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    const text = await server.raw(`/decisions/${decided.body.decisionId}/cancel`, '', 'text/plain');
    expect(text.status).toBe(415);
    for (const note of ['fine\u0000', 'paid \u202Eevil', 'zero\u200Bwidth']) {
      const res = await server.post(`/decisions/${decided.body.decisionId}/cancel`, { note });
      expect(res.status, note).toBe(400);
      expect(res.body.error.details[0].path).toBe('note');
    }
    expect((await server.get(`/decisions/${decided.body.decisionId}`)).body.status).toBe('final');
  });

  it('cancel releases the reservation exactly once, recording the caller as the actor; another system cannot cancel it', async () => {
    const decided = await server.as('los').post('/decide', application({ region: 'roomy', amount: 3_000 }));
    expect(decided.body.outcome).toBe('approve');
    expect((await region(server, 'roomy')).reserved).toBe(3_000);

    // Another origination system neither sees nor cancels it; a body naming the actor is refused.
    expect((await server.as('otherLos').post(`/decisions/${decided.body.decisionId}/cancel`, {})).status).toBe(404);
    expect((await server.as('los').post(`/decisions/${decided.body.decisionId}/cancel`, { by: 'someone-else' })).status).toBe(400);
    expect((await region(server, 'roomy')).reserved).toBe(3_000);

    const cancelled = await server.as('los').post(`/decisions/${decided.body.decisionId}/cancel`, { note: 'customer withdrew' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', history: [{ type: 'cancelled', detail: { amount: 3_000, by: 'key:los' } }], reservation: { releasedAt: expect.any(Number) } });
    expect((await region(server, 'roomy')).reserved).toBe(0);

    const again = await server.post(`/decisions/${decided.body.decisionId}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DECISION_STATE_CONFLICT');
    expect((await region(server, 'roomy')).reserved).toBe(0);
  });

  it('concurrent cancels of one approval release it once', async () => {
    const decided = await server.post('/decide', application({ region: 'roomy', amount: 2_000 }));
    const before = (await region(server, 'roomy')).reserved;
    const results = await Promise.all(Array.from({ length: 10 }, () => server.post(`/decisions/${decided.body.decisionId}/cancel`, {})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect((await region(server, 'roomy')).reserved).toBe(before - 2_000);
  });

  it('only a live approval can be cancelled; unknown ids are 404', async () => {
    const declined = await server.post('/decide', application({ region: 'roomy', amount: 25_000 }));
    expect((await server.post(`/decisions/${declined.body.decisionId}/cancel`, {})).status).toBe(409);
    expect((await server.post('/decisions/nope/cancel', {})).status).toBe(404);
  });

  it('a lowered limit blocks new approvals, says so, and leaves the ledger alone', async () => {
    for (let i = 0; i < 3; i++) expect((await server.post('/decide', application({ region: 'shrinking', amount: 2_000 }))).body.outcome).toBe('approve');
    const regionsFile = path.join(server.rulesDir, 'limits', 'regions.json');
    const regions = JSON.parse(readFileSync(regionsFile, 'utf8'));
    regions.regions.shrinking.limit = 5_000;
    writeFileSync(regionsFile, JSON.stringify(regions));
    await server.service.rules.reload();

    const shrinking = await region(server, 'shrinking');
    expect(shrinking).toMatchObject({ limit: 5_000, reserved: 6_000, status: 'full', available: 0, liveApprovals: 3 });
    const blocked = await server.post('/decide', application({ region: 'shrinking', amount: 500 }));
    expect(blocked.body.outcome).toBe('review');
    expect(blocked.body.reasons.map((r: { code: string }) => r.code)).toContain('REGION_LIMIT_EXCEEDED');
    expect((await region(server, 'shrinking')).reserved).toBe(6_000);
  });

  it('a sign-off approval that the full region has no room for is refused (409) and stays awaiting review', async () => {
    const review = await server.post(
      '/decide',
      application({ region: 'shrinking', amount: 12_000, termMonths: 24, applicant: { checkingAccountStatus: 'none', creditHistory: 'paid_duly', savingsAccountBonds: 'lt_100' } }),
    );
    expect(review.body.outcome).toBe('review');
    const signed = await server.as('reviewerL3').post(`/decisions/${review.body.decisionId}/review`, { outcome: 'approve' });
    expect(signed.status).toBe(409);
    expect(signed.body.error.code).toBe('REGION_LIMIT_EXCEEDED');
    expect((await server.get(`/decisions/${review.body.decisionId}`)).body).toMatchObject({ status: 'awaiting_review', history: [], reservation: null });
    expect((await region(server, 'shrinking')).reserved).toBe(6_000);
  });

  it('shows a computed limit with its basis; refuses a region nobody configured, naming the configured ones', async () => {
    const invented = await server.post('/decide', application({ region: 'atlantis', amount: 1_000 }));
    expect(invented.status).toBe(400);
    expect(invented.body.error.details).toEqual([{ path: 'region', message: expect.stringMatching(/unknown region "atlantis"; configured regions: east, north, south, west, tight, roomy, shrinking/) }]);
    const regions = (await server.get('/limits/regions')).body.regions;
    expect(regions.find((r: { region: string }) => r.region === 'west').basis).toMatchObject({ kind: 'computed', baseLimit: 20_000_000 });
    expect(regions.find((r: { region: string }) => r.region === 'atlantis')).toBeUndefined();
    expect(((await server.get('/metrics')).body as string).includes('atlantis')).toBe(false);
  });
});

describe('a bank that accepts unknown regions (acceptUnknownRegions)', () => {
  it('puts them under the default limit, and labels their metrics "other"', async () => {
    const server = await startTestServer({ rulesDir: rulesWithRegions((r) => (r.acceptUnknownRegions = true)) });
    try {
      const decided = await server.post('/decide', application({ region: 'atlantis', amount: 1_000 }));
      expect(decided.body.outcome).toBe('approve');
      const regions = (await server.get('/limits/regions')).body.regions;
      expect(regions.find((r: { region: string }) => r.region === 'atlantis')).toMatchObject({ configured: 'default', limit: 2_000_000, reserved: 1_000 });
      const metrics = (await server.get('/metrics')).body as string;
      expect(metrics).toMatch(/region_exposure_utilisation\{region="other"\}|region="other"/);
      expect(metrics.includes('region="atlantis"')).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe('approvals never drawn expire', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      rulesDir: rulesWithRegions((r) => {
        r.approvalExpiryDays = 0.5 / 86_400; // half a second
      }),
      env: { EXPIRY_SWEEP_MS: '100' },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('releases the reservation once, records it, and refuses a later cancel', async () => {
    const decided = await server.post('/decide', application({ region: 'north', amount: 1_500 }));
    expect((await region(server, 'north')).reserved).toBe(1_500);
    const deadline = Date.now() + 5_000;
    while ((await region(server, 'north')).reserved !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await region(server, 'north')).reserved).toBe(0);
    const stored = await server.get(`/decisions/${decided.body.decisionId}`);
    expect(stored.body).toMatchObject({ status: 'expired', history: [{ type: 'expired', detail: { amount: 1_500 } }] });
    expect((await server.post(`/decisions/${decided.body.decisionId}/cancel`, {})).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect((await server.get('/metrics')).body).toMatch(/exposure_releases_total\{reason="expired"\} 1\n/);
  });
});

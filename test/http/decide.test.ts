// POST /decide and GET /decisions/:id against the real server, store and rules.
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

const metric = async (name: string) => {
  const text: string = (await server.get('/metrics')).body;
  return text.split('\n').filter((l) => l.startsWith(name));
};

describe('POST /decide', () => {
  it('approves a clean application and records the rule-set version and stage timings', async () => {
    const res = await server.post('/decide', application());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'approve', reasons: [], versions: { rules: server.service.rules.current.version } });
    expect(res.body.decisionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Object.keys(res.body.timings.stages)).toEqual(['eligibility', 'fraud', 'scoring', 'approval', 'limits']);
    expect(res.body.approvalLevel).toBe('auto');
  });

  it('declines outside product bounds with a reason code, stage and message, then the model\'s adverse factors', async () => {
    const res = await server.post('/decide', application({ amount: 25_000 }));
    expect(res.body.outcome).toBe('decline');
    expect(res.body.reasons[0]).toEqual({
      code: 'AMOUNT_ABOVE_PRODUCT_MAX',
      stage: 'eligibility',
      rule: 'amount-above-product-max',
      message: "The requested amount is above this product's maximum.",
    });
    expect(res.body.reasons.slice(1).map((r: { code: string }) => r.code)).toContain('FACTOR_HIGH_AMOUNT');
    expect(res.body.reasons.slice(1).every((r: { stage: string }) => r.stage === 'scoring')).toBe(true);
  });

  it('runs the product named in the request (micro_loan is a different strategy)', async () => {
    const res = await server.post('/decide', application({ product: 'micro_loan', amount: 2500, termMonths: 12 }));
    expect(res.body.outcome).toBe('review');
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toEqual(['THIN_IDENTITY']);
  });

  it('counts phone velocity from earlier decisions: the fourth use within 24 h goes to review', async () => {
    const identifiers = { phone: '+86 139 1234 5678' };
    const outcomes: string[] = [];
    for (const phone of ['+86 139 1234 5678', '139-1234-5678', '0086 13912345678', '13912345678']) {
      outcomes.push((await server.post('/decide', application({ identifiers: { ...identifiers, phone } }))).body.outcome);
    }
    expect(outcomes).toEqual(['approve', 'approve', 'approve', 'review']);
  });

  it('declines a blocklisted device', async () => {
    const res = await server.post('/decide', application({ identifiers: { deviceId: 'EMULATOR-FARM-0001' } }));
    expect(res.body.outcome).toBe('decline');
    expect(res.body.reasons[0].code).toBe('BLOCKLISTED_DEVICE');
  });
});

describe('idempotency by applicationId', () => {
  it('a retry with the identical body returns the stored decision without re-evaluating', async () => {
    const app = application();
    const first = await server.post('/decide', app);
    const before = await metric('decisions_total');
    const reordered = Object.fromEntries(Object.entries(app).reverse());
    const retry = await server.post('/decide', reordered);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(await metric('decisions_total')).toEqual(before);
    expect((await metric('decision_replays_total'))[0]).toMatch(/ [1-9]\d*$/);
  });

  it('the same applicationId with a different body is a 409 naming the field', async () => {
    const app = application();
    const first = await server.post('/decide', app);
    const res = await server.post('/decide', { ...app, amount: app.amount + 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(res.body.error.details[0].path).toBe('applicationId');
    // The conflicting caller learns nothing of the decision it collided with.
    expect(JSON.stringify(res.body)).not.toContain(first.body.decisionId);
  });

  it('concurrent duplicates get one decision', async () => {
    const app = application();
    const results = await Promise.all(Array.from({ length: 10 }, () => server.post('/decide', app)));
    expect(new Set(results.map((r) => r.body.decisionId)).size).toBe(1);
  });
});

describe('bad input gets a clear error and is never a 500', () => {
  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await server.raw('/decide', '{"applicationId": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('wrong types and missing fields → 400 listing each field path and what was expected', async () => {
    const { applicant, ...rest } = application();
    const res = await server.post('/decide', { ...rest, amount: 'lots', applicant: { ...applicant, age: 17.5, housing: undefined, purpose: 'yacht' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const details = Object.fromEntries(res.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]));
    expect(details).toMatchObject({
      amount: 'expected number',
      'applicant.age': 'expected integer; expected a number >= 18',
      'applicant.housing': 'is required',
      'applicant.purpose': expect.stringContaining('expected one of: business, domestic_appliance'),
    });
  });

  it('unknown fields are rejected rather than silently ignored', async () => {
    const res = await server.post('/decide', { ...application(), income: 5000 });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'income', message: 'is not a known field' }]);
  });

  it('unknown product → 404 naming the known products', async () => {
    const res = await server.post('/decide', application({ product: 'mortgage' }));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'UNKNOWN_PRODUCT', details: [{ path: 'product', message: expect.stringContaining('micro_loan, personal_loan') }] });
  });

  it('bodies over 64 KB → 413', async () => {
    const res = await server.raw('/decide', JSON.stringify({ ...application(), pad: 'x'.repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('BODY_TOO_LARGE');
  });

  it('a non-JSON content type → 415; a non-object body → 400', async () => {
    expect((await server.raw('/decide', 'a=b', 'application/x-www-form-urlencoded')).status).toBe(415);
    const array = await server.raw('/decide', '[1,2]');
    expect(array.status).toBe(400);
    expect(array.body.error.details[0]).toEqual({ path: '(body)', message: 'expected object' });
  });

  it('a corrupt gzip body → 400 UNREADABLE_BODY, not a 500', async () => {
    const res = await fetch(`${server.url}/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${server.keys.admin}` },
      body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0x00]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNREADABLE_BODY');
  });

  it('unknown routes and methods are coded errors too', async () => {
    expect((await server.get('/nope')).body.error.code).toBe('ROUTE_NOT_FOUND');
    expect((await server.get('/decide')).body.error.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('GET /decisions/:decisionId', () => {
  it('returns the stored decision with inputs, facts, rule results and versions', async () => {
    const decided = await server.post('/decide', application({ amount: 25_000, identifiers: { phone: '+86 150 0000 1111' } }));
    const res = await server.get(`/decisions/${decided.body.decisionId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...decided.body, product: 'personal_loan', request: { amount: 25_000 } });
    expect(res.body.request.identifiers.phone).toEqual({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), masked: '***1111', valid: true });
    expect(res.body.facts).toMatchObject({ amount: 25_000, ageAtMaturity: 47, velocity: { phone: 1 } });
    const eligibility = res.body.stages.find((s: { stage: string }) => s.stage === 'eligibility');
    const fired = eligibility.rules.filter((r: { fired: boolean }) => r.fired).map((r: { rule: string }) => r.rule);
    expect(fired).toEqual(['amount-above-product-max']);
    // Rules that did not fire keep their evaluated conditions: why a rule did not fire.
    const notFired = eligibility.rules.find((r: { rule: string }) => r.rule === 'age-below-minimum');
    expect(notFired).toMatchObject({ fired: false, conditions: { all: [{ fact: 'applicant', factResult: 45, result: false }] } });
  });

  it('unknown id → 404', async () => {
    const res = await server.get('/decisions/00000000-0000-7000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('DECISION_NOT_FOUND');
  });
});

describe('POST /decisions/:decisionId/replay', () => {
  it('decides a stored decision again against its archived rules and says it reproduces; analysts and admins only', async () => {
    const decided = await server.post('/decide', application({ amount: 25_000, identifiers: { phone: '+86 150 0000 2222' } }));
    const res = await server.as('analyst').post(`/decisions/${decided.body.decisionId}/replay`, undefined);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ decisionId: decided.body.decisionId, ruleSetVersion: decided.body.versions.rules, reproduced: true, differences: [] });
    expect((await server.as('los').post(`/decisions/${decided.body.decisionId}/replay`, undefined)).status).toBe(403);
    const unknown = await server.post('/decisions/00000000-0000-7000-8000-000000000000/replay', undefined);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('DECISION_NOT_FOUND');
  });
});

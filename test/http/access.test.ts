// Every operation × every role, against the one access table; credentials end to end.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/access/api-keys';
import { hasRole, ROLES } from '../../src/access/roles';
import { OPERATION_ACCESS, type Operation } from '../../src/http/access';
import { application } from '../support/factories';
import { startTestServer, tempDir, TEST_CALLERS, type TestCaller, type TestServer } from '../support/server';

let server: TestServer;
let decisionId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { API_KEYS_RELOAD_MS: '100' } });
  const decided = await server.as('los').post('/decide', application({ applicationId: 'ACCESS-1' }));
  expect(decided.status).toBe(200);
  decisionId = decided.body.decisionId;
});
afterAll(() => server?.close());

/** A concrete request for each operation: ids that exist where that matters, minimal bodies. */
function request(operation: Operation, n: number): { method: 'GET' | 'POST'; path: string; body?: unknown } {
  const [method, template] = operation.split(' ') as ['GET' | 'POST', string];
  const path = template.replace('{decisionId}', decisionId).replace('{applicationId}', 'ACCESS-1').replace('{clusterId}', 'cl_none');
  const bodies: Partial<Record<Operation, unknown>> = {
    'POST /decide': application({ applicationId: `ACCESS-ROLE-${n}` }),
    'POST /history': { applications: [{}] },
    'POST /decisions/{decisionId}/review': { outcome: 'maybe' },
    'POST /decisions/{decisionId}/cancel': { note: 'x\u0000' },
    'POST /applications/{applicationId}/labels': { label: 'unknown' },
  };
  return { method, path, ...(method === 'POST' ? { body: bodies[operation] ?? {} } : {}) };
}

describe('access control', () => {
  it('every operation refuses a caller without a credential (401, WWW-Authenticate) and one whose roles do not allow it (403); allowed roles get through', async () => {
    const table: string[] = [];
    let n = 0;
    for (const operation of Object.keys(OPERATION_ACCESS) as Operation[]) {
      const { roles } = OPERATION_ACCESS[operation];
      const anonymous = request(operation, n++);
      const refused = anonymous.method === 'GET' ? await server.anonymous().get(anonymous.path) : await server.anonymous().post(anonymous.path, anonymous.body);
      expect(refused.status, operation).toBe(401);
      expect(refused.body.error.code).toBe('UNAUTHENTICATED');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      for (const caller of Object.keys(TEST_CALLERS) as TestCaller[]) {
        const r = request(operation, n++);
        const client = server.as(caller);
        const res = r.method === 'GET' ? await client.get(r.path) : await client.post(r.path, r.body);
        const allowed = hasRole({ id: caller, kind: 'api-key', roles: TEST_CALLERS[caller].roles }, roles);
        table.push(`${operation} ${caller} ${res.status}`);
        if (allowed) expect([401, 403], `${operation} as ${caller}: ${JSON.stringify(res.body)}`).not.toContain(res.status);
        else expect(res.body.error?.code, `${operation} as ${caller}`).toBe('FORBIDDEN');
      }
    }
    expect(table.length).toBe(Object.keys(OPERATION_ACCESS).length * Object.keys(TEST_CALLERS).length);
  });

  it('health and readiness are open; unknown routes are 401 without a credential (the route map is not probed anonymously)', async () => {
    expect((await server.anonymous().get('/health')).status).toBe(200);
    expect((await server.anonymous().get('/ready')).status).toBe(200);
    expect((await server.anonymous().get('/no-such-route')).status).toBe(401);
    expect((await server.anonymous('Bearer dk_forged').get('/rules')).status).toBe(401);
    expect((await server.get('/no-such-route')).body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('the OpenAPI document declares both schemes and, per operation, exactly the roles the service enforces', async () => {
    const doc = (await server.get('/openapi.json')).body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'identityProvider']);
    const documented: string[] = [];
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, { security: unknown[]; 'x-roles'?: string[] }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (p === '/health' || p === '/ready') {
          expect(op.security).toEqual([]);
          continue;
        }
        const key = `${method.toUpperCase()} ${p}` as Operation;
        documented.push(key);
        expect(op['x-roles'], key).toEqual([...OPERATION_ACCESS[key].roles]);
        expect(op.security).toEqual([{ apiKey: [] }, { identityProvider: [] }]);
      }
    }
    expect(documented.sort()).toEqual(Object.keys(OPERATION_ACCESS).sort());
  });

  it("the README's API table gives every operation exactly the roles the service enforces", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const shape = (p: string) => p.replace(/\{[^}]+\}|:[A-Za-z]+/g, '{}');
    const documented = new Map<string, string[]>();
    const api = readme.slice(readme.indexOf('## API'), readme.indexOf('\n## ', readme.indexOf('## API') + 1));
    for (const line of api.split('\n')) {
      const cells = line.split(' | ');
      const operations = [...(cells[0] ?? '').matchAll(/`(GET|POST) (\/[^`]*)`/g)];
      if (!operations.length || cells.length < 3) continue;
      const roles = (cells[1] ?? '')
        .replace(/\([^)]*\)/g, '')
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      for (const [, method, p] of operations) documented.set(`${method} ${shape(p ?? '')}`, roles[0] === 'any role' ? [...ROLES] : roles);
    }
    for (const [operation, access] of Object.entries(OPERATION_ACCESS)) {
      const [method, p] = operation.split(' ');
      expect(documented.get(`${method} ${shape(p ?? '')}`), operation).toEqual([...access.roles]);
    }
    expect(documented.get('GET /health')).toEqual(['open']);
  });

  it('an origination system sees and retries only its own decisions; another gets 404 and a 409 that names nothing', async () => {
    const body = application({ applicationId: 'OWN-1' });
    const first = await server.as('los').post('/decide', body);
    expect(first.status).toBe(200);
    const retry = await server.as('los').post('/decide', body);
    expect(retry.body.decisionId).toBe(first.body.decisionId);

    const squat = await server.as('otherLos').post('/decide', body);
    expect(squat.status).toBe(409);
    expect(squat.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(JSON.stringify(squat.body)).not.toContain(first.body.decisionId);
    expect(JSON.stringify(squat.body)).not.toContain(first.body.outcome === 'approve' ? '"approve"' : '"outcome"');

    expect((await server.as('otherLos').get(`/decisions/${first.body.decisionId}`)).status).toBe(404);
    const own = await server.as('los').get(`/decisions/${first.body.decisionId}`);
    expect(own.status).toBe(200);
    expect(own.body.caller).toBe('key:los');
    expect((await server.as('reviewerL1').get(`/decisions/${first.body.decisionId}`)).status).toBe(200);
  });

  it('a new key works and a removed one stops working without a restart; a broken keys file keeps the last good keys and /ready says so', async () => {
    const keysFile = server.keysFile;
    const fresh = generateApiKey({ id: 'rotated-in', roles: ['analyst'] });
    const current = JSON.parse(readFileSync(keysFile, 'utf8')) as { keys: { id: string }[] };
    const next = path.join(path.dirname(keysFile), 'next.json');
    writeFileSync(next, JSON.stringify({ keys: [...current.keys.filter((k) => k.id !== 'analyst'), fresh.entry] }));
    renameSync(next, keysFile);
    const deadline = Date.now() + 10_000;
    while ((await server.anonymous(`Bearer ${fresh.key}`).get('/rules')).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await server.anonymous(`Bearer ${fresh.key}`).get('/rules')).status).toBe(200);
    expect((await server.as('analyst').get('/rules')).status).toBe(401);

    writeFileSync(keysFile, '{"keys": [');
    const until = Date.now() + 10_000;
    while ((await server.get('/ready')).body.checks.credentials.degraded !== true && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const ready = await server.get('/ready');
    expect(ready.body).toMatchObject({ status: 'degraded', checks: { credentials: { ok: true, degraded: true, detail: expect.stringContaining('rejected') } } });
    expect((await server.anonymous(`Bearer ${fresh.key}`).get('/rules')).status).toBe(200);
  });
});

describe('people with identity-provider tokens', () => {
  let idp: TestServer;
  let sign: (claims: Record<string, unknown>, sub: string) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwksFile = path.join(tempDir('jwks-'), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] }));
    idp = await startTestServer({ env: { OIDC_ISSUER: 'https://idp.bank.example', OIDC_AUDIENCE: 'credit-decisions', OIDC_JWKS_FILE: jwksFile } });
    sign = (claims, sub) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer('https://idp.bank.example').setAudience('credit-decisions').setSubject(sub).setIssuedAt().setExpirationTime('5m').sign(privateKey);
  });
  afterAll(() => idp?.close());

  it("a reviewer signs off with a token; the sign-off records the person and the level from the token's claims", async () => {
    const decided = await idp.as('los').post('/decide', application({ applicationId: 'TOKEN-1', amount: 19_000, termMonths: 36 }));
    expect(decided.body.outcome).toBe('review');
    const low = await idp.anonymous(`Bearer ${await sign({ roles: ['reviewer'], approval_level: 'L1' }, 'junior')}`).post(`/decisions/${decided.body.decisionId}/review`, { outcome: 'approve' });
    expect(low.status).toBe(403);
    const token = await sign({ roles: ['reviewer'], approval_level: 'L3' }, 'zhang.wei');
    const signed = await idp.anonymous(`Bearer ${token}`).post(`/decisions/${decided.body.decisionId}/review`, { outcome: 'decline', note: 'income not verified' });
    expect(signed.status).toBe(200);
    expect(signed.body.history).toEqual([expect.objectContaining({ type: 'signed_off', detail: expect.objectContaining({ reviewer: 'user:zhang.wei', level: 'L3' }) })]);
    // A token with no useful role is authenticated but forbidden; a forged one is not authenticated.
    expect((await idp.anonymous(`Bearer ${await sign({ roles: ['visitor'] }, 'x')}`).get('/rules')).status).toBe(403);
    expect((await idp.anonymous(`Bearer ${token.slice(0, -4)}AAAA`).get('/rules')).status).toBe(401);
  });
});

import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../src/access/tokens';

const ISSUER = 'https://idp.bank.example';
const AUDIENCE = 'credit-decisions';
const NOW = Date.parse('2026-12-05T12:00:00Z');

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let privateKey: SigningKey;
let otherKey: SigningKey;
let publicJwk: JWK;
let verifier: TokenVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  verifier = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [publicJwk] }, rolesClaim: 'roles', levelClaim: 'approval_level' });
});

const token = (claims: Record<string, unknown>, options: { key?: SigningKey; issuer?: string; audience?: string; expiresAt?: number; sub?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(options.sub ?? 'wang.li')
    .setIssuedAt(Math.floor(NOW / 1000) - 60)
    .setExpirationTime(Math.floor((options.expiresAt ?? NOW + 600_000) / 1000))
    .sign(options.key ?? privateKey);

describe('identity-provider tokens', () => {
  it("a person's token gives their roles and approval level from the configured claims", async () => {
    const result = await verifier.verify(await token({ roles: ['reviewer', 'investigator', 'root'], approval_level: 'L2' }), NOW);
    expect(result).toEqual({ ok: true, principal: { id: 'user:wang.li', kind: 'token', roles: ['reviewer', 'investigator'], level: 'L2' } });
    const spaced = await verifier.verify(await token({ roles: 'analyst monitoring' }), NOW);
    expect(spaced).toMatchObject({ ok: true, principal: { roles: ['analyst', 'monitoring'] } });
  });

  it('a reviewer role without a valid level is not a reviewer', async () => {
    const result = await verifier.verify(await token({ roles: ['reviewer'], approval_level: 'L9' }), NOW);
    expect(result).toEqual({ ok: true, principal: { id: 'user:wang.li', kind: 'token', roles: [] } });
  });

  it('refuses a token signed by another key, for another issuer or audience, expired, unsigned or shared-secret', async () => {
    const cases = {
      otherKey: await token({ roles: ['admin'] }, { key: otherKey }),
      issuer: await token({ roles: ['admin'] }, { issuer: 'https://evil.example' }),
      audience: await token({ roles: ['admin'] }, { audience: 'another-service' }),
      expired: await token({ roles: ['admin'] }, { expiresAt: NOW - 60_000 }),
      unsigned: `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: NOW / 1000 + 600, roles: ['admin'] })).toString('base64url')}.`,
      hs256: await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('x')
        .setExpirationTime(Math.floor(NOW / 1000) + 600)
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
      garbage: 'not-a-token',
    };
    for (const [name, t] of Object.entries(cases)) expect((await verifier.verify(t, NOW)).ok, name).toBe(false);
    // Within the 30 s clock tolerance an expiry is still accepted.
    expect((await verifier.verify(await token({ roles: ['admin'] }, { expiresAt: NOW - 10_000 }), NOW)).ok).toBe(true);
  });
});

// People sign in at the bank's identity provider and present its JWT: verified here against the
// issuer's published keys (a JWKS file, or its URL, which jose fetches and caches off the request
// path). Roles and a reviewer's level come from configured claims; nothing else in the token counts.
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { isReviewerLevel, isRole, type Principal, type Role } from './roles';

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  /** The issuer's keys: a parsed JWKS, or its https URL. */
  readonly jwks: JSONWebKeySet | URL;
  /** Claim holding the roles (an array of strings, or one space-separated string). */
  readonly rolesClaim: string;
  /** Claim holding a reviewer's approval level (L1–L3). */
  readonly levelClaim: string;
}

/** Asymmetric algorithms only: a shared-secret (HS*) token could be minted by anyone holding the secret. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const CLOCK_TOLERANCE_S = 30;

export type TokenResult = { ok: true; principal: Principal } | { ok: false; reason: string };

export class TokenVerifier {
  private readonly keys: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: TokenSettings) {
    this.keys = settings.jwks instanceof URL ? createRemoteJWKSet(settings.jwks, { timeoutDuration: 5000, cooldownDuration: 30_000 }) : createLocalJWKSet(settings.jwks);
  }

  async verify(token: string, now: number): Promise<TokenResult> {
    if (token.length > 16 * 1024) return { ok: false, reason: 'token too long' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JOSEError ? err.code : 'unverifiable token' };
    }
    const sub = payload.sub ?? '';
    if (!/^[\x21-\x7e]{1,128}$/.test(sub)) return { ok: false, reason: 'subject is not a printable identifier' };
    const raw = payload[this.settings.rolesClaim];
    const listed = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
    const roles = [...new Set(listed.filter(isRole))] as Role[];
    const levelRaw = payload[this.settings.levelClaim];
    const level = isReviewerLevel(levelRaw) ? levelRaw : undefined;
    // A reviewer without a level cannot sign anything; one is not admitted as a reviewer at all.
    const effective = roles.filter((r) => r !== 'reviewer' || level !== undefined);
    return { ok: true, principal: { id: `user:${sub}`, kind: 'token', roles: effective, ...(level && effective.includes('reviewer') ? { level } : {}) } };
  }
}

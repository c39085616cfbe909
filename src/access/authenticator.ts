// One question per request: who is calling? An API key (systems) or an identity provider's token
// (people), both as `Authorization: Bearer …`. The answer is a principal or a reason it is not one.
import { API_KEY_PREFIX, type ApiKeyRing } from './api-keys';
import type { Principal } from './roles';
import type { TokenVerifier } from './tokens';

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

export interface AuthenticatorDeps {
  readonly keys: ApiKeyRing;
  /** Absent when no identity provider is configured: tokens are then refused. */
  readonly tokens?: TokenVerifier;
  readonly clock: () => number;
}

export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined || authorization === '') return { ok: false, reason: 'no credential: send Authorization: Bearer <API key or token>' };
    const match = /^Bearer +([\x21-\x7e]+)$/i.exec(authorization);
    if (!match?.[1]) return { ok: false, reason: 'the Authorization header must be "Bearer <credential>"' };
    const credential = match[1];
    const now = this.deps.clock();
    if (credential.startsWith(API_KEY_PREFIX)) {
      const principal = this.deps.keys.authenticate(credential, now);
      return principal ? { ok: true, principal } : { ok: false, reason: 'unknown, revoked or expired API key' };
    }
    if (!this.deps.tokens) return { ok: false, reason: 'not an API key, and no identity provider is configured for tokens' };
    const verified = await this.deps.tokens.verify(credential, now);
    return verified.ok ? verified : { ok: false, reason: `token refused (${verified.reason})` };
  }
}

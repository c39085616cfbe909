// Who may call the service: the roles a credential can carry, and the principal a request runs as.
// One definition; the HTTP access table, the keys-file schema and the token claims all read it.
import { APPROVAL_LEVELS, type ApprovalLevel } from '../approval/authority';

export const ROLES = ['origination', 'reviewer', 'investigator', 'analyst', 'monitoring', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  origination: 'a loan origination system: asks for decisions, reads and cancels the decisions it asked for',
  reviewer: 'a person who signs off decisions sent to review, up to the approval level on the credential',
  investigator: 'a fraud investigator: suspicious clusters, networks, labels',
  analyst: 'a risk analyst: the rule set in force, regional exposure',
  monitoring: 'a metrics scraper: GET /metrics only',
  admin: 'an operator: everything except signing off loans and labelling applicants (those need a person in that role)',
};

/** Levels a reviewer can hold (the authority matrix's levels, without "auto"). */
export const REVIEWER_LEVELS = APPROVAL_LEVELS.filter((l): l is Exclude<ApprovalLevel, 'auto'> => l !== 'auto');
export type ReviewerLevel = (typeof REVIEWER_LEVELS)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
export const isReviewerLevel = (value: unknown): value is ReviewerLevel => typeof value === 'string' && (REVIEWER_LEVELS as readonly string[]).includes(value);

/** The authenticated caller: a system holding an API key, or a person holding an identity provider's token. */
export interface Principal {
  /** Stable identity recorded as the actor: `key:<id>` for API keys, `user:<sub>` for people. */
  readonly id: string;
  readonly kind: 'api-key' | 'token';
  readonly roles: readonly Role[];
  /** A reviewer's approval level, from the credential (never from a request body). */
  readonly level?: ReviewerLevel;
}

export const hasRole = (principal: Principal, roles: readonly Role[]): boolean => principal.roles.some((r) => roles.includes(r));

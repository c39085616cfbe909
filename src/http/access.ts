// Who may call what: the one table of operations and the roles each needs. The routes, the
// OpenAPI document's security requirements and the role × operation test all read it.
import type { NextFunction, Request, Response } from 'express';
import type { Authenticator } from '../access/authenticator';
import { hasRole, ROLES, type Principal, type Role } from '../access/roles';
import { ApiError } from './errors';

interface OperationAccess {
  readonly roles: readonly Role[];
  /** What a role can see beyond the plain yes/no (shown in the OpenAPI document and the README). */
  readonly scope?: string;
}

const EVERY_ROLE = ROLES;

/** Keyed by `METHOD /path` in OpenAPI's path syntax. /health and /ready are open: load balancers probe them. */
export const OPERATION_ACCESS = {
  'POST /decide': { roles: ['origination', 'admin'] },
  'POST /history': { roles: ['admin'] },
  'GET /decisions': { roles: ['origination', 'reviewer', 'analyst', 'admin'], scope: 'origination: only decisions it asked for' },
  'POST /decisions/search': { roles: ['origination', 'reviewer', 'investigator', 'analyst', 'admin'], scope: 'origination: only decisions it asked for' },
  'GET /decisions/{decisionId}': { roles: ['origination', 'reviewer', 'investigator', 'analyst', 'admin'], scope: 'origination: only decisions it asked for' },
  'POST /decisions/{decisionId}/review': { roles: ['reviewer'], scope: "up to the approval level on the reviewer's credential" },
  'POST /decisions/{decisionId}/replay': { roles: ['analyst', 'admin'] },
  'POST /decisions/{decisionId}/outcome': { roles: ['origination', 'admin'], scope: 'origination: only decisions it asked for' },
  'POST /decisions/{decisionId}/cancel': { roles: ['origination', 'admin'], scope: 'origination: only decisions it asked for' },
  'GET /limits/regions': { roles: ['analyst', 'admin'] },
  'GET /rules': { roles: ['analyst', 'admin'] },
  'GET /rules/versions': { roles: ['analyst', 'admin'] },
  'GET /rules/versions/{version}': { roles: ['analyst', 'admin'] },
  'GET /rules/versions/{version}/diff/{other}': { roles: ['analyst', 'admin'] },
  'GET /shadow/report': { roles: ['analyst', 'admin'] },
  'POST /backtests': { roles: ['analyst', 'admin'] },
  'GET /backtests': { roles: ['analyst', 'admin'] },
  'GET /backtests/{backtestId}': { roles: ['analyst', 'admin'] },
  'POST /backtests/{backtestId}/cancel': { roles: ['analyst', 'admin'] },
  'GET /metrics': { roles: ['monitoring', 'admin'] },
  'GET /openapi.json': { roles: EVERY_ROLE },
  'GET /clusters': { roles: ['investigator', 'admin'] },
  'GET /clusters/{clusterId}': { roles: ['investigator', 'admin'] },
  'POST /clusters/recluster': { roles: ['admin'] },
  'GET /applications/{applicationId}/network': { roles: ['investigator', 'admin'] },
  'GET /applications/{applicationId}/labels': { roles: ['investigator', 'admin'] },
  'POST /applications/{applicationId}/labels': { roles: ['investigator'], scope: 'clearing a fraud label takes a second investigator' },
} as const satisfies Record<string, OperationAccess>;

export type Operation = keyof typeof OPERATION_ACCESS;
export const OPEN_PATHS: readonly string[] = ['/health', '/ready'];
/**
 * The investigator console's static files (src/http/console-routes.ts), read-only: they hold no
 * data, so a browser loads them before it has a credential; every data call the page makes
 * carries one. Only these exact shapes: a file name, never a path.
 */
export const OPEN_STATIC = /^\/console(?:\/|\/assets\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99})?$/;

const isOpen = (req: Request) => OPEN_PATHS.includes(req.path) || ((req.method === 'GET' || req.method === 'HEAD') && OPEN_STATIC.test(req.path));

/** The authenticated caller of this request (set by authenticate()). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new ApiError('UNAUTHENTICATED');
  return principal;
}

export interface AccessHooks {
  readonly onRefused?: (result: 'unauthenticated' | 'forbidden', detail: { method: string; path: string; reason: string; principal?: string }) => void;
}

/** Every request but the open paths must carry a credential the authenticator accepts. */
export function authenticate(authenticator: Authenticator, hooks: AccessHooks = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isOpen(req)) return next();
    authenticator.authenticate(req.headers.authorization).then(
      (result) => {
        if (!result.ok) {
          hooks.onRefused?.('unauthenticated', { method: req.method, path: req.route?.path ?? '(any)', reason: result.reason });
          return next(new ApiError('UNAUTHENTICATED', [{ path: 'authorization', message: result.reason }]));
        }
        res.locals.principal = result.principal;
        next();
      },
      next,
    );
  };
}

/** Lets the request through only if the caller holds one of the operation's roles. */
export function allow(operation: Operation, hooks: AccessHooks = {}) {
  const { roles } = OPERATION_ACCESS[operation] as OperationAccess;
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (hasRole(principal, roles)) return next();
    hooks.onRefused?.('forbidden', { method: operation.split(' ')[0] ?? '', path: operation, reason: 'role', principal: principal.id });
    next(new ApiError('FORBIDDEN', [{ path: 'authorization', message: `${operation} needs one of the roles: ${roles.join(', ')}` }]));
  };
}

// The HTTP layer: parse, validate, call the domain, map its answer. Nothing else lives here.
import { APPROVAL_LEVELS, type ApprovalLevel } from '../approval/authority';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Application } from '../decision/application';
import { InvalidCursorError, type RuleSetVersions } from '../decision/rule-set-versions';
import { LOAN_OUTCOMES, type LoanOutcome, type LoanOutcomes } from '../decision/outcomes';
import { integer, quoted, readQuery, type Query } from './query';
import { ArchivedRuleSetMissingError, DecisionNotFoundError, DecisionStateError, IdempotencyConflictError, InsufficientAuthorityError, RegionLimitExceededError, UnknownProductError, UnknownRegionError } from '../decision/errors';
import type { RegionReport } from '../decision/reservations';
import { OverloadedError } from '../decision/admission';
import { StorageFaultError, type IdentifierPosition } from '../store/audit-store';
import { SharedDatabaseUnavailableError } from '../store/postgres/connection';
import type { DecisionLifecycle, SignOff } from '../decision/lifecycle';
import { DuplicateApplicationError, type HistoryService } from '../decision/history';
import { responseOf, type DecisionService } from '../decision/service';
import type { Metrics } from '../observability/metrics';
import type { RuleSetHolder } from '../rules/hot-reload';
import type { Authenticator } from '../access/authenticator';
import { hasRole, type Principal, type Role } from '../access/roles';
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import { allow, authenticate, principalOf, type AccessHooks, type Operation } from './access';
import { jsonIfAny, parseJsonBody, requireJson } from './body';
import { ApiError } from './errors';
import { compileValidator, freeText, type Validator } from './validation';

export const MAX_BODY_BYTES = 64 * 1024;
/** POST /history: at most this many past applications per request, in at most this many bytes. */
export const HISTORY_BATCH_MAX = 1000;
export const MAX_HISTORY_BODY_BYTES = 4 * 1024 * 1024;

export const HISTORY_BATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['applications'],
  properties: { applications: { type: 'array', minItems: 1, maxItems: HISTORY_BATCH_MAX, items: { type: 'object' } } },
} as const;

export interface ReadinessCheck {
  readonly ok: boolean;
  /** Ready, but running on a fallback (e.g. no model): decisions still flow. */
  readonly degraded?: boolean;
  readonly detail?: string;
}

// Who signs, and at what level, comes from the credential: a body naming a reviewer or a level is refused.
export const SIGN_OFF_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['outcome'],
  properties: {
    outcome: { enum: ['approve', 'decline'] },
    note: freeText(2000),
  },
} as const;

export const OUTCOME_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'at'],
  properties: {
    status: { enum: LOAN_OUTCOMES, description: 'How the loan turned out; a later status (defaulted → fraud or written_off, fraud → written_off) may follow.' },
    at: { type: 'string', format: 'date-time', description: 'When it happened: after the decision, not in the future.' },
  },
} as const;

export const CANCEL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { note: freeText(2000) },
} as const;

const validateSignOff = compileValidator<Pick<SignOff, 'outcome' | 'note'>>(SIGN_OFF_SCHEMA);
const validateCancel = compileValidator<{ note?: string }>(CANCEL_SCHEMA);
const validateOutcome = compileValidator<{ status: LoanOutcome; at: string }>(OUTCOME_SCHEMA);
const validateHistoryBatch = compileValidator<{ applications: unknown[] }>(HISTORY_BATCH_SCHEMA);

/** Decisions per page of POST /decisions/search. */
const MAX_SEARCH_PAGE = 100;

export const DECISION_SEARCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['identifier'],
  properties: {
    identifier: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'value'],
      properties: {
        type: { enum: IDENTIFIER_TYPES },
        // The bound a decision request puts on an identifier.
        value: { type: 'string', minLength: 1, maxLength: 256, description: 'The raw value, in any spelling of it; hashed as decisions hash it, never stored or echoed.' },
      },
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_PAGE, default: 20 },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page.' },
  },
} as const;

const validateSearch = compileValidator<{ identifier: { type: IdentifierType; value: string }; limit?: number; cursor?: string }>(DECISION_SEARCH_SCHEMA);

/** A search cursor: "<decidedAt ms>.<application id in base64url>", a keyset position like queueCursor's. */
function searchCursor(cursor: string): IdentifierPosition | undefined {
  const m = /^(-?\d{1,16})\.([A-Za-z0-9_-]{1,172})$/.exec(cursor);
  return m ? { decidedAt: Number(m[1]), applicationId: Buffer.from(m[2] as string, 'base64url').toString('utf8') } : undefined;
}
const searchCursorOf = (position: IdentifierPosition) => `${position.decidedAt}.${Buffer.from(position.applicationId).toString('base64url')}`;

/** Decisions per page of the review queue. */
const MAX_QUEUE_PAGE = 200;

/** A review-queue cursor: "<decidedAt ms>.<row>", a keyset position (an index range from there, never a count). */
function queueCursor(cursor: string): { decidedAt: number; row: number } | undefined {
  const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(cursor);
  return m ? { decidedAt: Number(m[1]), row: Number(m[2]) } : undefined;
}

/** Archived rule sets per page of GET /rules/versions. */
const MAX_VERSIONS_PAGE = 100;

export interface AppDeps {
  readonly decisions: DecisionService;
  readonly lifecycle: DecisionLifecycle;
  readonly outcomes: LoanOutcomes;
  readonly history: HistoryService;
  readonly exposureReport: () => RegionReport[];
  readonly rules: RuleSetHolder;
  /** Every rule set the service has decided with, archived by version. */
  readonly ruleVersions: RuleSetVersions;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly validateApplication: Validator<Application>;
  readonly openapi: object;
  readonly readiness: () => Readonly<Record<string, ReadinessCheck>>;
  /** Shutting down: /ready says 503 so load balancers stop sending, while requests already routed here are still served. */
  readonly draining?: () => boolean;
  readonly authenticator: Authenticator;
  readonly accessHooks?: AccessHooks;
  /** Further endpoints (e.g. the investigator API), mounted before the 404 handler; they get the same access guard. */
  readonly extraRouters?: readonly ((guard: (operation: Operation) => express.RequestHandler) => express.Router)[];
}

const SEES_EVERY_DECISION: readonly Role[] = ['reviewer', 'investigator', 'analyst', 'admin'];

/**
 * An origination system sees only the decisions it asked for; any other role that may read a
 * decision sees all. Someone else's decision is "not found", so ids cannot be probed.
 */
function mayAccessDecision(principal: Principal, caller: string | null): boolean {
  return hasRole(principal, SEES_EVERY_DECISION) || caller === principal.id;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });

  app.use(authenticate(deps.authenticator, deps.accessHooks));
  const guard = (operation: Operation) => allow(operation, deps.accessHooks);

  app.use(decisionRoutes(deps, guard));
  app.use(operationsRoutes(deps, guard));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/ready', (_req, res) => {
    const checks = deps.draining?.() ? { ...deps.readiness(), shutdown: { ok: false, detail: 'shutting down: finishing requests already routed here' } } : deps.readiness();
    const values = Object.values(checks);
    const status = values.some((c) => !c.ok) ? 'not_ready' : values.some((c) => c.degraded) ? 'degraded' : 'ready';
    res.status(status === 'not_ready' ? 503 : 200).json({ status, checks });
  });

  for (const router of deps.extraRouters ?? []) app.use(router(guard));

  app.use(() => {
    throw new ApiError('ROUTE_NOT_FOUND');
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiError = toApiError(err);
    if (apiError.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer realm="decision-engine"');
    if (err instanceof OverloadedError) res.setHeader('retry-after', String(err.retryAfterS));
    if (apiError.code === 'SERVICE_UNAVAILABLE' || apiError.code === 'STORE_UNAVAILABLE' || apiError.code === 'DATABASE_UNAVAILABLE') res.setHeader('retry-after', '5');
    if (apiError.code === 'INTERNAL') deps.logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    res.status(apiError.status).json(apiError.toJSON());
  });

  return app;
}

type Guard = (operation: Operation) => express.RequestHandler;

/** Deciding, back-filled history, reading a decision, signing it off, cancelling it. */
function decisionRoutes(deps: AppDeps, guard: Guard): express.Router {
  const router = express.Router();
  const json = parseJsonBody(MAX_BODY_BYTES);

  // Refused for load before the body is even read: a 503 with Retry-After, nothing decided or stored.
  const admitted = (_req: Request, _res: Response, next: NextFunction) => next(deps.decisions.refusal());

  router.post('/decide', guard('POST /decide'), admitted, requireJson, json, async (req, res) => {
    const application = deps.validateApplication(req.body);
    const ready = deps.readiness();
    if (Object.values(ready).some((c) => !c.ok)) throw new ApiError('SERVICE_UNAVAILABLE', Object.entries(ready).filter(([, c]) => !c.ok).map(([name, c]) => ({ path: name, message: c.detail ?? 'not ready' })));
    const { document } = await deps.decisions.decide(application, principalOf(res).id);
    res.json(responseOf(document));
  });

  // Back-filled history: past applications with their own time, outcome and label (not decided anew).
  router.post('/history', guard('POST /history'), requireJson, parseJsonBody(MAX_HISTORY_BODY_BYTES), async (req, res) => {
    const { applications } = validateHistoryBatch(req.body);
    if (Object.values(deps.readiness()).some((c) => !c.ok)) throw new ApiError('SERVICE_UNAVAILABLE');
    const result = await deps.history.importBatch(applications, `POST /history by ${principalOf(res).id}`);
    if ('problems' in result) throw new ApiError('VALIDATION_FAILED', result.problems.map((p) => ({ path: `applications[${p.index}].${p.path}`, message: p.message })));
    res.json(result);
  });

  /** The decision, if it exists and this caller may see it; otherwise "not found" either way. */
  const visibleDecision = async (res: Response, decisionId: string, traces = true) => {
    const document = await deps.decisions.getDecision(decisionId, { traces });
    if (!document || !mayAccessDecision(principalOf(res), document.caller)) {
      throw new ApiError('DECISION_NOT_FOUND', [{ path: 'decisionId', message: `no decision ${quoted(decisionId)}` }]);
    }
    return document;
  };

  // The review queue (status=awaiting_review), or the decision of one application (applicationId=).
  router.get('/decisions', guard('GET /decisions'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, ['status', 'approvalLevel', 'region', 'product', 'sort', 'limit', 'cursor', 'applicationId']);
    const principal = principalOf(res);
    const ownOnly = !hasRole(principal, ['reviewer', 'analyst', 'admin']);
    const applicationId = get('applicationId');
    if (applicationId !== undefined) {
      for (const name of ['status', 'approvalLevel', 'region', 'product', 'sort', 'limit', 'cursor']) if (get(name) !== undefined) problems.push({ path: name, message: 'not with applicationId (it names one decision)' });
      if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
      const found = deps.decisions.decisionOfApplication(applicationId);
      res.json({ decisions: found && (!ownOnly || found.caller === principal.id) ? [found] : [], nextCursor: null });
      return;
    }
    if (get('status') !== 'awaiting_review') problems.push({ path: 'status', message: 'expected awaiting_review (the review queue), or give applicationId' });
    const approvalLevel = get('approvalLevel');
    if (approvalLevel !== undefined && !APPROVAL_LEVELS.includes(approvalLevel as ApprovalLevel)) problems.push({ path: 'approvalLevel', message: `expected one of ${APPROVAL_LEVELS.join(', ')}` });
    const sort = get('sort') ?? 'oldest';
    if (sort !== 'oldest' && sort !== 'newest') problems.push({ path: 'sort', message: 'expected oldest or newest' });
    const limit = integer(get('limit'), 'limit', 1, MAX_QUEUE_PAGE, problems) ?? 50;
    const cursor = get('cursor');
    const after = cursor === undefined ? undefined : queueCursor(cursor);
    if (cursor !== undefined && !after) problems.push({ path: 'cursor', message: 'not a cursor this list gave' });
    for (const name of ['region', 'product']) if ((get(name)?.length ?? 0) > 64) problems.push({ path: name, message: 'at most 64 characters' });
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    const region = get('region');
    const product = get('product');
    const page = deps.decisions.reviewQueue({
      filter: { ...(approvalLevel ? { approvalLevel } : {}), ...(region ? { region } : {}), ...(product ? { product } : {}), ...(ownOnly ? { caller: principal.id } : {}) },
      order: sort as 'oldest' | 'newest',
      ...(after ? { after } : {}),
      limit,
    });
    res.json({ decisions: page.decisions, nextCursor: page.next ? `${page.next.decidedAt}.${page.next.row}` : null });
  });

  // Decisions by an identifier. POST, so the raw value is in no URL, access log or proxy log; the
  // service hashes it, and it is neither stored nor echoed (an error names the field, not the value).
  router.post('/decisions/search', guard('POST /decisions/search'), requireJson, json, (req, res) => {
    const { identifier, limit = 20, cursor } = validateSearch(req.body);
    const after = cursor === undefined ? undefined : searchCursor(cursor);
    if (cursor !== undefined && !after) throw new ApiError('VALIDATION_FAILED', [{ path: 'cursor', message: 'not a cursor this search gave' }]);
    const principal = principalOf(res);
    const page = deps.decisions.decisionsWithIdentifier(identifier.type, identifier.value, {
      ...(hasRole(principal, SEES_EVERY_DECISION) ? {} : { caller: principal.id }),
      ...(after ? { after } : {}),
      limit,
    });
    if (!page) throw new ApiError('VALIDATION_FAILED', [{ path: 'identifier.value', message: `no ${identifier.type} at all: empty, or a placeholder (N/A, none, 0000000, …), which no decision carries` }]);
    res.json({ decisions: page.decisions, nextCursor: page.next ? searchCursorOf(page.next) : null });
  });

  router.get('/decisions/:decisionId', guard('GET /decisions/{decisionId}'), async (req, res) => {
    res.json(await visibleDecision(res, req.params.decisionId as string));
  });

  router.post('/decisions/:decisionId/review', guard('POST /decisions/{decisionId}/review'), requireJson, json, async (req, res) => {
    const { decisionId } = req.params as { decisionId: string };
    const body = validateSignOff(req.body);
    const reviewer = principalOf(res);
    // The access table admits reviewers only, and a reviewer credential always carries its level.
    if (!reviewer.level) throw new ApiError('FORBIDDEN', [{ path: 'authorization', message: 'the credential carries no approval level' }]);
    await deps.lifecycle.signOff(decisionId, { reviewer: reviewer.id, level: reviewer.level, outcome: body.outcome, ...(body.note !== undefined ? { note: body.note } : {}) });
    res.json(await deps.decisions.getDecision(decisionId));
  });

  // Decided again from the stored record against the archived rules it was made with; nothing is written.
  router.post('/decisions/:decisionId/replay', guard('POST /decisions/{decisionId}/replay'), async (req, res) => {
    const { decisionId } = req.params as { decisionId: string };
    const report = await deps.decisions.replayStored(decisionId);
    if (!report) throw new ApiError('DECISION_NOT_FOUND', [{ path: 'decisionId', message: `no decision ${quoted(decisionId)}` }]);
    res.json(report);
  });

  // How an approved loan turned out, reported by the lender (idempotent; a later status moves it on).
  router.post('/decisions/:decisionId/outcome', guard('POST /decisions/{decisionId}/outcome'), requireJson, json, async (req, res) => {
    const { decisionId } = req.params as { decisionId: string };
    const body = validateOutcome(req.body);
    const at = Date.parse(body.at);
    await visibleDecision(res, decisionId, false);
    const { outcome, changed } = await deps.outcomes.record(decisionId, { status: body.status, at }, principalOf(res).id);
    res.json({ decisionId, changed, outcome: { status: outcome.status, at: new Date(outcome.at).toISOString(), grade: outcome.grade, pd: outcome.pd, recordedBy: outcome.recordedBy, recordedAt: new Date(outcome.recordedAt).toISOString() } });
  });

  // The body is optional: an origination system may just say the loan was not taken up.
  router.post('/decisions/:decisionId/cancel', guard('POST /decisions/{decisionId}/cancel'), jsonIfAny, json, async (req, res) => {
    const { decisionId } = req.params as { decisionId: string };
    const body = validateCancel(req.body ?? {});
    await visibleDecision(res, decisionId, false);
    await deps.lifecycle.cancel(decisionId, principalOf(res).id, body.note);
    res.json(await deps.decisions.getDecision(decisionId));
  });


  router.all('/decide', () => {
    throw new ApiError('METHOD_NOT_ALLOWED', [{ path: 'method', message: 'use POST' }]);
  });
  return router;
}

/** What analysts and operators read: regional limits, the rule set, metrics, the API description. */
function operationsRoutes(deps: AppDeps, guard: Guard): express.Router {
  const router = express.Router();
  router.get('/limits/regions', guard('GET /limits/regions'), (_req, res) => {
    res.json({ regions: deps.exposureReport() });
  });

  router.get('/rules', guard('GET /rules'), (_req, res) => {
    const active = deps.rules.current;
    const rejection = deps.rules.lastRejection;
    const disk = deps.rules.diskState();
    res.json({
      version: active.version,
      loadedAt: active.loadedAt.toISOString(),
      loadedAgeSeconds: deps.rules.loadedAgeSeconds(),
      products: [...active.flows.keys()],
      // Which stages run compiled, and why any runs on json-rules-engine.
      evaluators: Object.fromEntries(
        [...active.flows].map(([product, flow]) => [
          product,
          flow.stages.map((s) => ({ stage: s.name, evaluator: s.evaluatorKind, ...(s.evaluatorNote ? { note: s.evaluatorNote } : {}) })),
        ]),
      ),
      files: active.files,
      lastReloadError: rejection ? { at: rejection.at.toISOString(), errors: rejection.messages } : null,
      // What the rules folder holds now: an edit that did not load shows here even without an error.
      disk: {
        matchesLoaded: disk.matchesLoaded,
        version: disk.diskVersion ?? null,
        checkedAt: disk.checkedAt.toISOString(),
        differsSince: disk.differsSince?.toISOString() ?? null,
        watched: deps.rules.isWatching,
      },
    });
  });

  // The archive of rule sets: newest first, one version's files, what changed between two.
  const VERSION = /^[0-9a-f]{16}$/;
  const versionParam = (name: string, value: string | undefined): string => {
    if (value === undefined || !VERSION.test(value)) throw new ApiError('INVALID_PARAMETER', [{ path: name, message: 'a rule-set version: 16 lowercase hex characters' }]);
    return value;
  };
  const versionNotFound = (version: string) => new ApiError('RULE_SET_VERSION_NOT_FOUND', [{ path: 'version', message: `no rule set ${version} in the archive` }]);
  router.get('/rules/versions', guard('GET /rules/versions'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, ['limit', 'cursor']);
    const limit = integer(get('limit'), 'limit', 1, MAX_VERSIONS_PAGE, problems) ?? 20;
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    try {
      const { versions, next } = deps.ruleVersions.list(limit, get('cursor'));
      res.json({ serving: deps.rules.current.version, versions, nextCursor: next ?? null });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ApiError('INVALID_PARAMETER', [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });
  router.get('/rules/versions/:version', guard('GET /rules/versions/{version}'), (req, res) => {
    const version = versionParam('version', req.params.version as string);
    const archived = deps.ruleVersions.files(version);
    if (!archived) throw versionNotFound(version);
    res.json(archived);
  });
  router.get('/rules/versions/:version/diff/:other', guard('GET /rules/versions/{version}/diff/{other}'), (req, res) => {
    const from = versionParam('version', req.params.version as string);
    const to = versionParam('other', req.params.other as string);
    const diff = deps.ruleVersions.diff(from, to);
    if (!diff) throw versionNotFound(deps.ruleVersions.files(from) ? to : from);
    res.json(diff);
  });

  router.get('/metrics', guard('GET /metrics'), async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  router.get('/openapi.json', guard('GET /openapi.json'), (_req, res) => {
    res.json(deps.openapi);
  });


  return router;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UnknownProductError) {
    return new ApiError('UNKNOWN_PRODUCT', [{ path: 'product', message: `no rule flow for "${err.product}"; expected one of: ${err.known.join(', ')}` }]);
  }
  if (err instanceof StorageFaultError) return new ApiError('STORE_UNAVAILABLE', [{ path: '(service)', message: err.message }]);
  if (err instanceof SharedDatabaseUnavailableError) return new ApiError('DATABASE_UNAVAILABLE', [{ path: '(service)', message: err.message }]);
  if (err instanceof OverloadedError) return new ApiError('OVERLOADED', [{ path: '(service)', message: err.message }]);
  if (err instanceof UnknownRegionError) return new ApiError('VALIDATION_FAILED', [{ path: 'region', message: err.message }]);
  if (err instanceof DecisionNotFoundError) return new ApiError('DECISION_NOT_FOUND', [{ path: 'decisionId', message: err.message }]);
  if (err instanceof InsufficientAuthorityError) return new ApiError('INSUFFICIENT_AUTHORITY', [{ path: 'level', message: err.message }]);
  if (err instanceof ArchivedRuleSetMissingError) return new ApiError('RULE_SET_NOT_ARCHIVED', [{ path: 'versions.rules', message: err.message }]);
  if (err instanceof DecisionStateError) return new ApiError('DECISION_STATE_CONFLICT', [{ path: 'decisionId', message: err.message }]);
  if (err instanceof RegionLimitExceededError) return new ApiError('REGION_LIMIT_EXCEEDED', [{ path: 'outcome', message: err.message }]);
  if (err instanceof DuplicateApplicationError) return new ApiError('IDEMPOTENCY_CONFLICT', [{ path: 'applicationId', message: err.message }]);
  if (err instanceof IdempotencyConflictError) {
    // NOTE: the stored decision's id is not named: the conflicting caller may not be the one who decided it.
    return new ApiError('IDEMPOTENCY_CONFLICT', [{ path: 'applicationId', message: 'this applicationId is already in use (a different body, or another caller)' }]);
  }
  // A path segment that is not valid percent-encoding (e.g. %ff%fe): the router cannot decode it.
  if (err instanceof URIError) return new ApiError('INVALID_PARAMETER', [{ path: '(path)', message: 'a path segment is not valid percent-encoded UTF-8' }]);
  // body-parser's errors carry a `type`; they are the client's fault, not ours.
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.too.large') {
    const limit = (err as { limit?: number }).limit ?? MAX_BODY_BYTES;
    return new ApiError('BODY_TOO_LARGE', [{ path: '(body)', message: `at most ${limit} bytes` }], `The request body exceeds ${limit} bytes.`);
  }
  if (type === 'entity.parse.failed') {
    // V8 quotes the text around the fault ("… is not valid JSON"): it may be a raw identifier, so it is left out.
    return new ApiError('INVALID_JSON', [{ path: '(body)', message: (err as Error).message.replace(/,? ?(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '') }]);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new ApiError('UNSUPPORTED_MEDIA_TYPE');
  // A body the parser could not read (a corrupt gzip or deflate stream, a truncated upload): the client's fault.
  const status = (err as { status?: number; expose?: boolean } | null)?.status;
  if (status !== undefined && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
    return new ApiError('UNREADABLE_BODY', [{ path: '(body)', message: (err as Error).message }]);
  }
  return new ApiError('INTERNAL');
}

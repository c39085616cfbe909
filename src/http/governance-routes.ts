// Rule governance over HTTP: backtests of a candidate rule set (asynchronous: 202 and a place to
// poll), for analysts. The candidate is a base (the serving rule set or an archived version)
// with files changed, added or removed; it is checked at once, with the diagnostics rules:check
// prints, and backtested in threads off the request path.
import express from 'express';
import { BacktestRequestError, BacktestStateError, BaseRuleSetNotFound, TooManyBacktests, type Backtests, type BacktestRequest } from '../decision/backtests';
import { CandidateRulesInvalid } from '../decision/backtest-run';
import type { ShadowReport } from '../decision/shadow';
import { ALL_TIME } from '../store/history-reader';
import { formatDiagnostic } from '../rules/diagnostics';
import type { Operation } from './access';
import { principalOf } from './access';
import { parseJsonBody, requireJson } from './body';
import { ApiError } from './errors';
import { errorResponse, jsonBody, nullable, ref } from './openapi-parts';
import { integer, readQuery, type Query } from './query';
import { compileValidator } from './validation';

/** A candidate's changed files, in all: rule files are small; a whole folder with its tests is ~400 KB. */
export const MAX_BACKTEST_BODY_BYTES = 512 * 1024;
const MAX_BACKTESTS_PAGE = 50;

/** A path under the rules folder, as the archive names its files (flows/personal_loan.json). */
const RULE_FILE_PATH = { type: 'string', pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*\\.json$', maxLength: 200 } as const;
const NAME = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

export const BACKTEST_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    base: { type: 'string', pattern: '^(serving|[0-9a-f]{16})$', description: 'The rule set the candidate starts from: "serving", or an archived version (GET /rules/versions).' },
    changes: {
      type: 'array',
      maxItems: 64,
      description: 'Files replaced or added, by their path under the rules folder.',
      items: { type: 'object', additionalProperties: false, required: ['path', 'text'], properties: { path: RULE_FILE_PATH, text: { type: 'string', maxLength: MAX_BACKTEST_BODY_BYTES } } },
    },
    removals: { type: 'array', maxItems: 64, items: RULE_FILE_PATH, description: 'Files of the base left out.' },
    from: { type: 'string', format: 'date-time', description: 'Decisions made at or after this instant (default: all).' },
    to: { type: 'string', format: 'date-time', description: 'Decisions made before this instant (default: all).' },
    product: NAME,
    region: NAME,
  },
} as const;

interface BacktestBody {
  base?: string;
  changes?: { path: string; text: string }[];
  removals?: string[];
  from?: string;
  to?: string;
  product?: string;
  region?: string;
}

const validateBacktest = compileValidator<BacktestBody>(BACKTEST_REQUEST_SCHEMA);
const BACKTEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface GovernanceDeps {
  readonly backtests: Backtests;
  /** Champion vs challenger for a product over [from, to); undefined for a product with no flow. */
  readonly shadowReport: (product: string, from: number, to: number) => ShadowReport | undefined;
}

export function governanceRouter(deps: GovernanceDeps, guard: (operation: Operation) => express.RequestHandler): express.Router {
  const router = express.Router();

  router.post('/backtests', guard('POST /backtests'), requireJson, parseJsonBody(MAX_BACKTEST_BODY_BYTES), async (req, res) => {
    const body = validateBacktest(req.body);
    const from = body.from === undefined ? ALL_TIME.from : Date.parse(body.from);
    const to = body.to === undefined ? ALL_TIME.to : Date.parse(body.to);
    if (from >= to) throw new ApiError('VALIDATION_FAILED', [{ path: 'to', message: 'must be after from' }]);
    const request: BacktestRequest = {
      base: body.base ?? 'serving',
      changes: body.changes ?? [],
      removals: body.removals ?? [],
      filter: { from, to, ...(body.product ? { product: body.product } : {}), ...(body.region ? { region: body.region } : {}) },
    };
    let view;
    try {
      view = await deps.backtests.start(request, principalOf(res).id);
    } catch (err) {
      if (err instanceof CandidateRulesInvalid) {
        throw new ApiError('CANDIDATE_RULES_INVALID', err.diagnostics.map((d) => ({ path: `${d.file}:${d.line}:${d.column} ${d.path || '(root)'}`, message: formatDiagnostic(d) })));
      }
      if (err instanceof BacktestRequestError) throw new ApiError('VALIDATION_FAILED', [{ path: err.field, message: err.message }]);
      if (err instanceof BaseRuleSetNotFound) throw new ApiError('RULE_SET_VERSION_NOT_FOUND', [{ path: 'base', message: err.message }]);
      if (err instanceof TooManyBacktests) {
        res.setHeader('retry-after', String(err.retryAfterS));
        throw new ApiError('TOO_MANY_BACKTESTS', [{ path: '(service)', message: err.message }]);
      }
      if (err instanceof BacktestStateError) throw new ApiError('SERVICE_UNAVAILABLE', [{ path: '(service)', message: err.message }]);
      throw err;
    }
    res.status(202).location(`/backtests/${view.backtestId}`).json(view);
  });

  router.get('/backtests', guard('GET /backtests'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, ['limit']);
    const limit = integer(get('limit'), 'limit', 1, MAX_BACKTESTS_PAGE, problems) ?? 20;
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    res.json({ backtests: deps.backtests.recent(limit) });
  });

  const backtestId = (raw: string | undefined): string => {
    if (raw === undefined || !BACKTEST_ID.test(raw)) throw new ApiError('INVALID_PARAMETER', [{ path: 'backtestId', message: 'a backtest id (a UUID, as POST /backtests gave)' }]);
    return raw;
  };
  const notFound = (id: string) => new ApiError('BACKTEST_NOT_FOUND', [{ path: 'backtestId', message: `no backtest ${id}` }]);

  router.get('/backtests/:backtestId', guard('GET /backtests/{backtestId}'), (req, res) => {
    const id = backtestId(req.params.backtestId as string);
    const view = deps.backtests.viewOf(id);
    if (!view) throw notFound(id);
    res.json(view);
  });

  router.post('/backtests/:backtestId/cancel', guard('POST /backtests/{backtestId}/cancel'), async (req, res) => {
    const id = backtestId(req.params.backtestId as string);
    try {
      const view = await deps.backtests.cancel(id, principalOf(res).id);
      if (!view) throw notFound(id);
      res.json(view);
    } catch (err) {
      if (err instanceof BacktestStateError) throw new ApiError('BACKTEST_STATE_CONFLICT', [{ path: 'backtestId', message: err.message }]);
      throw err;
    }
  });

  // Champion vs challenger: how often the challenger agreed, and where not, which way it moved.
  router.get('/shadow/report', guard('GET /shadow/report'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, ['product', 'from', 'to']);
    const product = get('product');
    if (product === undefined) problems.push({ path: 'product', message: 'is required' });
    else if (!/^[A-Za-z0-9_-]{1,64}$/.test(product)) problems.push({ path: 'product', message: 'a product name (letters, digits, _ and -)' });
    const instant = (name: string, fallback: number) => {
      const raw = get(name);
      if (raw === undefined) return fallback;
      const at = Date.parse(raw);
      if (Number.isNaN(at) || raw.length > 40) problems.push({ path: name, message: 'an ISO 8601 date or date-time' });
      return at;
    };
    const from = instant('from', ALL_TIME.from);
    const to = instant('to', ALL_TIME.to);
    if (!problems.length && from >= to) problems.push({ path: 'to', message: 'must be after from' });
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    const report = deps.shadowReport(product as string, from, to);
    if (!report) throw new ApiError('UNKNOWN_PRODUCT', [{ path: 'product', message: `no rule flow for "${product}"` }]);
    res.json(report);
  });

  return router;
}

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const backtestIdParam = { name: 'backtestId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

const backtestSide = {
  type: 'object',
  required: ['approvalRate', 'approvedAmount', 'expectedLoss', 'badRate', 'outcomesKnown', 'approvalLevels'],
  properties: {
    approvalRate: { type: 'number' },
    approvedAmount: { type: 'number', description: 'Σ offered amount of the approved book.' },
    expectedLoss: { type: 'number', description: 'Σ PD × offered amount of the approved book.' },
    badRate: { ...nullable('number'), description: 'Defaulted, fraud or written off among approved loans whose outcome is known; null when none is.' },
    outcomesKnown: { type: 'integer' },
    approvalLevels: counts,
  },
};

const backtestFields = {
  backtestId: { type: 'string', format: 'uuid' },
  status: { enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
  requestedBy: { type: 'string' },
  requestedAt: { type: 'string', format: 'date-time' },
  finishedAt: { ...nullable('string'), format: 'date-time' },
  base: { type: 'string', description: 'The base rule set version.' },
  candidate: { type: 'string', description: "The candidate rule set's version." },
  changedFiles: { type: 'array', items: { type: 'string' } },
  removedFiles: { type: 'array', items: { type: 'string' } },
  filter: { type: 'object', required: ['from', 'to', 'product', 'region'], properties: { from: nullable('string'), to: nullable('string'), product: nullable('string'), region: nullable('string') } },
  progress: { type: 'object', required: ['done', 'total'], properties: { done: { type: 'integer' }, total: { ...nullable('integer'), description: 'Decisions in the period; null until every thread has counted its share.' } } },
  seconds: nullable('number'),
  error: { ...nullable('string'), description: 'Why it failed or who cancelled it.' },
} as const;

/** The governance API's part of the OpenAPI document (merged by src/http/openapi.ts). */
export const GOVERNANCE_OPENAPI = {
  schemas: {
    ShadowReport: {
      type: 'object',
      required: ['product', 'from', 'to', 'decisions', 'decided', 'failed', 'timedOut', 'agreement', 'disagreements', 'transitions', 'regions', 'challengerMs'],
      properties: {
        product: { type: 'string' },
        from: nullable('string'),
        to: nullable('string'),
        decisions: { type: 'integer', description: 'Decisions with a shadow result in the period.' },
        decided: { type: 'integer' },
        failed: { type: 'integer', description: 'The challenger threw.' },
        timedOut: { type: 'integer', description: 'The challenger overran its flow budget.' },
        agreement: { ...nullable('number'), description: "Share of decided shadow runs with the champion's outcome." },
        disagreements: { type: 'integer' },
        transitions: { ...counts, description: '"champion->challenger": count, agreements included.' },
        regions: {
          type: 'array',
          items: { type: 'object', required: ['region', 'decisions', 'agreement', 'transitions'], properties: { region: { type: 'string' }, decisions: { type: 'integer' }, agreement: nullable('number'), transitions: counts } },
        },
        challengerMs: { type: 'object', required: ['mean', 'max'], properties: { mean: nullable('number'), max: nullable('number') } },
      },
    },
    BacktestRequest: BACKTEST_REQUEST_SCHEMA,
    BacktestSummary: { type: 'object', required: Object.keys(backtestFields), properties: backtestFields },
    Backtest: {
      type: 'object',
      required: [...Object.keys(backtestFields), 'report', 'changedSample'],
      properties: {
        ...backtestFields,
        changedSample: { type: 'array', items: { type: 'string' }, description: 'Some decision ids whose outcome the candidate changes.' },
        report: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              required: ['candidate', 'decisions', 'changed', 'groups', 'exposure', 'skipped'],
              properties: {
                candidate: { type: 'string' },
                decisions: { type: 'integer' },
                changed: { type: 'integer', description: 'Decisions whose outcome the candidate changes.' },
                skipped: { type: 'integer', description: 'Imported history and decisions stored whole, which cannot be decided again.' },
                groups: {
                  type: 'array',
                  description: 'Per product and region.',
                  items: {
                    type: 'object',
                    required: ['product', 'region', 'decisions', 'transitions', 'changed', 'before', 'after', 'reasonsAppearing', 'reasonsVanishing'],
                    properties: {
                      product: { type: 'string' },
                      region: { type: 'string' },
                      decisions: { type: 'integer' },
                      transitions: { ...counts, description: '"approve->review": count, unchanged outcomes included.' },
                      changed: { type: 'integer' },
                      before: backtestSide,
                      after: backtestSide,
                      reasonsAppearing: counts,
                      reasonsVanishing: counts,
                    },
                  },
                },
                exposure: {
                  type: 'array',
                  description: "The approved book's amount per region against the candidate's limit.",
                  items: { type: 'object', required: ['region', 'limit', 'before', 'after'], properties: { region: { type: 'string' }, limit: { type: 'number' }, before: { type: 'number' }, after: { type: 'number' } } },
                },
              },
            },
          ],
        },
      },
    },
  },
  paths: {
    '/shadow/report': {
      get: {
        summary: "Champion vs challenger for a product: agreement, the outcome transition matrix, by region",
        description:
          "A product's challenger flow (rules/shadow/<product>.json, same schema as its flow) decides each application after the champion has answered, on the same inputs, within its own budget; it never changes the answer or the exposure ledger. Promote it by moving the file to rules/flows/.",
        parameters: [
          { name: 'product', in: 'query', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
          { name: 'from', in: 'query', required: false, schema: { type: 'string' }, description: 'Decisions made at or after this instant (ISO 8601).' },
          { name: 'to', in: 'query', required: false, schema: { type: 'string' }, description: 'Decisions made before this instant.' },
        ],
        responses: { 200: { description: 'The report.', ...jsonBody('ShadowReport') }, 400: errorResponse('A missing product or a bad instant.'), 404: errorResponse('No flow for this product.') },
      },
    },
    '/backtests': {
      post: {
        summary: 'Backtest a candidate rule set against the stored decisions (asynchronous)',
        description:
          'The candidate is a base rule set (the serving one, or an archived version) with files changed, added or removed. It is checked at once (422 with the diagnostics rules:check prints: file:line:column and JSON path), then backtested in threads at the lowest priority; poll the Location. One runs at a time and three wait; nothing is written to decisions, the exposure ledger or the graph.',
        requestBody: { required: true, ...jsonBody('BacktestRequest') },
        responses: {
          202: { description: 'Queued; GET the Location for progress and the report.', headers: { Location: { schema: { type: 'string' } } }, ...jsonBody('Backtest') },
          400: errorResponse('The body does not match the schema, or removes a file the base does not hold.'),
          404: errorResponse('The base version is not in the archive.'),
          413: errorResponse('The body exceeds 512 KB.'),
          415: errorResponse('The body is not application/json.'),
          422: errorResponse('The candidate rule set has errors; details name each by file, line, column and JSON path.'),
          429: errorResponse('A backtest runs and three wait; retry after Retry-After.'),
        },
      },
      get: {
        summary: 'The latest backtests, newest first (without their reports)',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_BACKTESTS_PAGE, default: 20 } }],
        responses: {
          200: { description: 'Backtests.', content: { 'application/json': { schema: { type: 'object', required: ['backtests'], properties: { backtests: { type: 'array', items: ref('BacktestSummary') } } } } } },
          400: errorResponse('A bad limit.'),
        },
      },
    },
    '/backtests/{backtestId}': {
      get: {
        summary: "A backtest's progress, and its report once done",
        parameters: [backtestIdParam],
        responses: { 200: { description: 'The backtest.', ...jsonBody('Backtest') }, 400: errorResponse('Not a backtest id.'), 404: errorResponse('No such backtest.') },
      },
    },
    '/backtests/{backtestId}/cancel': {
      post: {
        summary: 'Stop a queued or running backtest',
        parameters: [backtestIdParam],
        responses: {
          200: { description: 'Cancelled.', ...jsonBody('Backtest') },
          400: errorResponse('Not a backtest id.'),
          404: errorResponse('No such backtest.'),
          409: errorResponse('It has already finished.'),
        },
      },
    },
  },
};

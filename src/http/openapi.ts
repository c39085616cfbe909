// The OpenAPI 3.1 document, built from the same schemas the service validates with, so it
// cannot drift from the code; test/http/openapi.test.ts checks live responses against it.
import { ROLE_DESCRIPTIONS } from '../access/roles';
import { OPEN_PATHS, OPERATION_ACCESS } from './access';
import { DECISION_SEARCH_SCHEMA, OUTCOME_SCHEMA } from './app';
import { API_ERRORS } from './errors';
import { errorResponse, jsonBody } from './openapi-parts';
import { GOVERNANCE_OPENAPI } from './governance-routes';
import { INVESTIGATOR_OPENAPI } from './investigator-routes';
import { EVALUATOR_KINDS } from '../rules/ruleset';

const reason = {
  type: 'object',
  required: ['code', 'stage', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable reason code (rules/reasons.json).' },
    stage: { type: 'string' },
    message: { type: 'string', description: 'Plain-language reason.' },
    rule: { type: 'string', description: 'The rule that gave it; absent for a stage fallback.' },
  },
};

const decision = {
  type: 'object',
  required: ['decisionId', 'applicationId', 'outcome', 'reasons', 'score', 'offer', 'approvalLevel', 'versions', 'timings', 'decidedAt'],
  properties: {
    decisionId: { type: 'string', format: 'uuid' },
    applicationId: { type: 'string' },
    outcome: { enum: ['approve', 'review', 'decline'] },
    reasons: { type: 'array', items: { $ref: '#/components/schemas/Reason' } },
    score: {
      description: "The credit model's view; null when the model did not score (the reasons say why).",
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['pd', 'points', 'grade', 'adverseFactors'],
          properties: {
            pd: { type: 'number', minimum: 0, maximum: 1, description: 'Calibrated probability of default.' },
            points: { type: 'integer', description: 'Scorecard points (rules/scoring/grades.json scaling).' },
            grade: { type: 'string', description: 'Risk grade A–E.' },
            adverseFactors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['feature', 'code', 'impact'],
                properties: { feature: { type: 'string' }, code: { type: 'string' }, impact: { type: 'number', description: 'PD added against the portfolio reference.' } },
              },
            },
          },
        },
      ],
    },
    offer: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['limit', 'annualRate'],
          properties: { limit: { type: 'number', description: 'Never above the requested amount.' }, annualRate: { type: 'number' } },
        },
      ],
    },
    versions: {
      type: 'object',
      required: ['rules', 'model'],
      properties: {
        rules: { type: 'string', description: 'Content hash of the rule set that decided.' },
        model: { type: ['string', 'null'], description: 'modelId@version of the credit model, null without one.' },
      },
    },
    timings: {
      type: 'object',
      required: ['totalMs', 'stages'],
      properties: { totalMs: { type: 'number' }, stages: { type: 'object', additionalProperties: { type: 'number' } } },
    },
    approvalLevel: { enum: ['auto', 'L1', 'L2', 'L3'], description: 'Who must sign: auto for an automatic approve or decline; the required level for a review.' },
    decidedAt: { type: 'string', format: 'date-time' },
    fraud: { $ref: '#/components/schemas/FraudSummary' },
  },
};

const storedDecision = {
  allOf: [
    { $ref: '#/components/schemas/Decision' },
    {
      type: 'object',
      required: ['product', 'region', 'request', 'facts', 'stages', 'status', 'currentOutcome', 'history', 'reservation'],
      properties: {
        status: { enum: ['final', 'awaiting_review', 'cancelled', 'expired'] },
        currentOutcome: { enum: ['approve', 'review', 'decline'], description: "The outcome now: the automatic one (outcome), or a reviewer's." },
        history: {
          type: 'array',
          description: 'What happened after the automatic decision: sign-offs, cancellation, expiry.',
          items: { type: 'object', required: ['at', 'type', 'detail'], properties: { at: { type: 'integer' }, type: { enum: ['signed_off', 'cancelled', 'expired', 'outcome_recorded'] }, detail: { type: 'object' } } },
        },
        reservation: {
          oneOf: [
            { type: 'null' },
            { type: 'object', required: ['region', 'amount', 'releasedAt'], properties: { region: { type: 'string' }, amount: { type: 'number' }, releasedAt: { type: ['integer', 'null'] } } },
          ],
        },
        shadow: {
          type: 'object',
          description: "What the product's challenger flow (rules/shadow/<product>.json) decided after this decision was answered; absent without a challenger. Never part of the answer.",
          required: ['challengerVersion', 'status', 'outcome', 'reasons', 'approvalLevel', 'elapsedMs'],
          properties: {
            challengerVersion: { type: 'string' },
            status: { enum: ['decided', 'failed', 'timed_out'] },
            outcome: { enum: ['approve', 'review', 'decline', null] },
            reasons: { type: 'array', items: { type: 'string' } },
            approvalLevel: { type: ['string', 'null'] },
            elapsedMs: { type: 'number' },
          },
        },
        product: { type: 'string' },
        region: { type: 'string' },
        request: { type: 'object', description: 'The application; identifiers replaced by { hash, masked, valid } (placeholders dropped; see docs/identifiers.md).' },
        facts: { type: 'object' },
        stages: {
          type: 'array',
          items: {
            type: 'object',
            required: ['stage', 'status', 'durationMs', 'rules'],
            properties: {
              stage: { type: 'string' },
              status: { enum: ['completed', 'fallback', 'skipped'] },
              durationMs: { type: 'number' },
              fallback: { type: 'object' },
              facts: { type: 'object' },
              rules: {
                type: 'array',
                description: 'Every rule of the stage with each condition\'s result. The store keeps only which rules fired; these are regained by replaying the stored facts against the archived rule set (see traces).',
                items: { type: 'object', required: ['rule', 'fired'], properties: { rule: { type: 'string' }, fired: { type: 'boolean' } } },
              },
            },
          },
        },
        traces: {
          description:
            "How the stages' rule results were regained: replayed against the archived rule set of versions.rules (replayed), replayed but firing other rules than stored (differs: names the stages), or not (unavailable: rules are then empty). Absent for decisions stored whole, before lean records.",
          oneOf: [
            { type: 'object', required: ['status', 'ruleSetVersion'], properties: { status: { enum: ['replayed'] }, ruleSetVersion: { type: 'string' } } },
            { type: 'object', required: ['status', 'ruleSetVersion', 'stages'], properties: { status: { enum: ['differs'] }, ruleSetVersion: { type: 'string' }, stages: { type: 'array', items: { type: 'string' } } } },
            { type: 'object', required: ['status', 'detail'], properties: { status: { enum: ['unavailable'] }, detail: { type: 'string' } } },
          ],
        },
      },
    },
  ],
};

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { enum: Object.keys(API_ERRORS) },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};

const rulesStatus = {
  type: 'object',
  required: ['version', 'loadedAt', 'loadedAgeSeconds', 'files', 'products', 'evaluators', 'lastReloadError', 'disk'],
  properties: {
    version: { type: 'string', description: 'Content hash of the rule set being served.' },
    loadedAt: { type: 'string', format: 'date-time' },
    loadedAgeSeconds: { type: 'integer', minimum: 0, description: 'Whole seconds since the served set was loaded.' },
    products: { type: 'array', items: { type: 'string' } },
    evaluators: {
      type: 'object',
      description: "Per product, each stage's evaluator: compiled (rules compiled to closures, checked against json-rules-engine by a differential test) or json-rules-engine, with the reason (a construct the compiler does not take, or RULES_EVALUATOR).",
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          required: ['stage', 'evaluator'],
          properties: { stage: { type: 'string' }, evaluator: { enum: [...EVALUATOR_KINDS] }, note: { type: 'string' } },
        },
      },
    },
    files: { type: 'array', items: { type: 'object', required: ['path', 'sha256'], properties: { path: { type: 'string' }, sha256: { type: 'string' } } } },
    lastReloadError: {
      oneOf: [
        { type: 'null' },
        { type: 'object', required: ['at', 'errors'], properties: { at: { type: 'string', format: 'date-time' }, errors: { type: 'array', items: { type: 'string' } } } },
      ],
    },
    disk: {
      type: 'object',
      description: 'The rules folder compared with the served set: checked every second while watched, and after every reload.',
      required: ['matchesLoaded', 'version', 'checkedAt', 'differsSince', 'watched'],
      properties: {
        matchesLoaded: { type: 'boolean', description: 'The rule files on disk are the ones the served set was compiled from.' },
        version: { type: ['string', 'null'], description: 'Content hash of the rule files on disk (null: the folder could not be read).' },
        checkedAt: { type: 'string', format: 'date-time' },
        differsSince: { type: ['string', 'null'], format: 'date-time', description: 'When the folder was first seen to differ from the served set; null while they match.' },
        watched: { type: 'boolean', description: 'false: RULES_WATCH is off, and the comparison is as of the last load.' },
      },
    },
  },
};

const readiness = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['ready', 'degraded', 'not_ready'] },
    checks: {
      type: 'object',
      description: 'One entry per part (store, rules, model, ...); `rules` names the served rule set and its age, and is degraded when the last edit was rejected or the rules folder has held something else for longer than an edit takes to load.',
      additionalProperties: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, degraded: { type: 'boolean' }, detail: { type: 'string' } } },
    },
  },
};


/** A page of decisions as GET /decisions and POST /decisions/search list them. */
const decisionList = {
  type: 'object',
  required: ['decisions', 'nextCursor'],
  properties: {
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['decisionId', 'applicationId', 'product', 'region', 'amount', 'outcome', 'approvalLevel', 'reasons', 'decidedAt', 'caller'],
        properties: {
          decisionId: { type: 'string' },
          applicationId: { type: 'string' },
          product: { type: 'string' },
          region: { type: 'string' },
          amount: { type: 'number' },
          outcome: { type: 'string' },
          approvalLevel: { type: 'string' },
          reasons: { type: 'array', items: { $ref: '#/components/schemas/Reason' } },
          decidedAt: { type: 'string', format: 'date-time' },
          caller: { type: ['string', 'null'] },
          status: { type: 'string' },
          currentOutcome: { type: 'string' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
};

const regionReport = {
  type: 'object',
  required: ['regions'],
  properties: {
    regions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['region', 'limit', 'reserved', 'available', 'utilisation', 'warnAt', 'status', 'basis', 'products', 'liveApprovals', 'decisions'],
        properties: {
          region: { type: 'string' },
          configured: { enum: ['region', 'default'] },
          limit: { type: 'number' },
          basis: { type: 'object', required: ['kind'], properties: { kind: { enum: ['set', 'computed'] } } },
          warnAt: { type: 'number' },
          reserved: { type: 'number' },
          available: { type: 'number' },
          utilisation: { type: 'number' },
          status: { enum: ['ok', 'near', 'full'], description: 'full: no room left, e.g. after a limit was lowered below the exposure; new approvals are blocked.' },
          products: { type: 'object', additionalProperties: { type: 'object', required: ['limit', 'reserved'], properties: { limit: { type: ['number', 'null'] }, reserved: { type: 'number' } } } },
          liveApprovals: { type: 'integer' },
          decisions: { type: 'array', items: { type: 'object', required: ['decisionId', 'amount'], properties: { decisionId: { type: 'string' }, amount: { type: 'number' } } } },
        },
      },
    },
  },
};

type Operations = Record<string, Record<string, { description?: string; responses: Record<string, unknown> } & Record<string, unknown>>>;

/** Each operation's security requirement and roles, from the one access table (OPERATION_ACCESS). */
function withAccess(paths: Operations): Operations {
  const out: Operations = {};
  for (const [pathname, methods] of Object.entries(paths)) {
    out[pathname] = {};
    for (const [method, operation] of Object.entries(methods)) {
      if (OPEN_PATHS.includes(pathname)) {
        out[pathname][method] = { ...operation, security: [] };
        continue;
      }
      const access = (OPERATION_ACCESS as Record<string, { roles: readonly string[]; scope?: string }>)[`${method.toUpperCase()} ${pathname}`];
      if (!access) throw new Error(`${method.toUpperCase()} ${pathname} has no entry in OPERATION_ACCESS`);
      const roles = `Roles: ${access.roles.join(', ')}${access.scope ? ` (${access.scope})` : ''}.`;
      out[pathname][method] = {
        ...operation,
        description: operation.description ? `${operation.description}\n\n${roles}` : roles,
        security: [{ apiKey: [] }, { identityProvider: [] }],
        'x-roles': access.roles,
        responses: {
          ...operation.responses,
          401: errorResponse('No credential, or one that is unknown, expired or revoked (UNAUTHENTICATED).'),
          403: errorResponse("The caller's roles do not allow this operation (FORBIDDEN)."),
        },
      };
    }
  }
  return out;
}

export function buildOpenApi(applicationSchema: object, version: string, signOffSchema: object, cancelSchema: object, historyLineSchema: object) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Credit decision engine',
      version,
      description: 'Staged credit and fraud decisions for loan applications, with reason codes and a durable audit trail.',
    },
    paths: withAccess({
      ...INVESTIGATOR_OPENAPI.paths,
      ...GOVERNANCE_OPENAPI.paths,
      '/decide': {
        post: {
          summary: 'Decide one loan application',
          description: 'Idempotent by applicationId: a retry with the identical body returns the stored decision; a different body is a 409.',
          requestBody: { required: true, ...jsonBody('Application') },
          responses: {
            200: { description: 'The decision, committed to the audit store before this response.', ...jsonBody('Decision') },
            400: errorResponse('Malformed JSON or a body that does not match the schema.'),
            404: errorResponse('Unknown product.'),
            409: errorResponse('applicationId already decided with a different body.'),
            413: errorResponse('Body larger than 64 KB.'),
            415: errorResponse('Body is not application/json.'),
            503: errorResponse('Not ready (starting or shutting down).'),
          },
        },
      },
      '/decisions': {
        get: {
          summary: "The review queue (status=awaiting_review: oldest first, filtered by approvalLevel, region, product; paged), or one application's decision (applicationId=)",
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { enum: ['awaiting_review'] }, description: 'Required unless applicationId is given.' },
            { name: 'approvalLevel', in: 'query', required: false, schema: { enum: ['auto', 'L1', 'L2', 'L3'] } },
            { name: 'region', in: 'query', required: false, schema: { type: 'string', maxLength: 64 } },
            { name: 'product', in: 'query', required: false, schema: { type: 'string', maxLength: 64 } },
            { name: 'sort', in: 'query', required: false, schema: { enum: ['oldest', 'newest'], default: 'oldest' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page.' },
            { name: 'applicationId', in: 'query', required: false, schema: { type: 'string' }, description: 'The decision of this application (no other parameter with it).' },
          ],
          responses: {
            200: {
              description: 'Decisions with the reasons that sent each to review. An origination system sees only its own.',
              content: {
                'application/json': {
                  schema: decisionList,
                },
              },
            },
            400: errorResponse('A bad or unknown parameter (each one named).'),
          },
        },
      },
      '/decisions/search': {
        post: {
          summary: 'The decisions of applications that carried an identifier, newest first, paged',
          description:
            'The raw value is sent in the body, never in a URL; every spelling of it finds the same decisions (it is canonicalised and hashed as decisions are). The response holds neither the value nor its hash, and nothing about the search is stored.',
          requestBody: { required: true, content: { 'application/json': { schema: DECISION_SEARCH_SCHEMA } } },
          responses: {
            200: { description: 'A page of decisions, as GET /decisions lists them (empty when none carried it).', content: { 'application/json': { schema: decisionList } } },
            400: errorResponse('A body that does not match the schema, a value that is no identifier of its type (empty or a placeholder), or a cursor this search did not give (each named).'),
            415: errorResponse('Body is not application/json.'),
          },
        },
      },
      '/decisions/{decisionId}': {
        get: {
          summary: 'A stored decision with its inputs, facts, rule results and versions',
          parameters: [{ name: 'decisionId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'The stored decision.', ...jsonBody('StoredDecision') }, 404: errorResponse('No such decision.') },
        },
      },
      '/decisions/{decisionId}/review': {
        post: {
          summary: "Record a reviewer's sign-off on a decision awaiting review",
          description: 'The reviewer must hold at least the approvalLevel the decision requires. An approval reserves its amount against the regional exposure limit in the same transaction.',
          parameters: [{ name: 'decisionId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: signOffSchema } } },
          responses: {
            200: { description: 'The decision with its history.', ...jsonBody('StoredDecision') },
            400: errorResponse('Invalid body.'),
            403: errorResponse("The reviewer's level is below the required level."),
            404: errorResponse('No such decision.'),
            409: errorResponse('Not awaiting review, or the region has no room for the approval.'),
          },
        },
      },
      '/rules/versions': {
        get: {
          summary: 'Every rule set the service has loaded or decided with, archived by version, newest first',
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page.' },
          ],
          responses: {
            200: {
              description: 'A page of versions.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['serving', 'versions', 'nextCursor'],
                    properties: {
                      serving: { type: 'string' },
                      versions: { type: 'array', items: { type: 'object', required: ['version', 'archivedAt', 'files'], properties: { version: { type: 'string' }, archivedAt: { type: 'string', format: 'date-time' }, files: { type: 'integer' } } } },
                      nextCursor: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
            400: errorResponse('A bad limit or cursor.'),
          },
        },
      },
      '/rules/versions/{version}': {
        get: {
          summary: "An archived rule set's files (lists hold their entries' keyed hashes, never raw identifiers)",
          parameters: [{ name: 'version', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } }],
          responses: {
            200: {
              description: 'The files.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['version', 'archivedAt', 'files'],
                    properties: { version: { type: 'string' }, archivedAt: { type: 'string', format: 'date-time' }, files: { type: 'array', items: { type: 'object', required: ['path', 'text'], properties: { path: { type: 'string' }, text: { type: 'string' } } } } },
                  },
                },
              },
            },
            400: errorResponse('Not a version.'),
            404: errorResponse('Not in the archive.'),
          },
        },
      },
      '/rules/versions/{version}/diff/{other}': {
        get: {
          summary: 'What changed from one archived rule set to another: each added, removed or changed file with a unified diff',
          parameters: [
            { name: 'version', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
            { name: 'other', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
          ],
          responses: {
            200: {
              description: 'The changes.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['from', 'to', 'changes', 'unchanged'],
                    properties: {
                      from: { type: 'string' },
                      to: { type: 'string' },
                      changes: { type: 'array', items: { type: 'object', required: ['path', 'status', 'patch'], properties: { path: { type: 'string' }, status: { enum: ['added', 'removed', 'changed'] }, patch: { type: 'string' } } } },
                      unchanged: { type: 'integer' },
                    },
                  },
                },
              },
            },
            400: errorResponse('Not a version.'),
            404: errorResponse('Either version is not in the archive.'),
          },
        },
      },
      '/decisions/{decisionId}/replay': {
        post: {
          summary: 'Decide a stored decision again from its record, against the archived rule set it was made with, and say whether it reproduces',
          description:
            "Replays the validated request and the facts each stage's providers computed then (model score, velocity, graph, exposure) through the archived rule set, settled as the service settles a decision. Compares outcome, reasons (code and stage, in order), offer, approval level and each stage's fired rules. Nothing is written.",
          parameters: [{ name: 'decisionId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: {
              description: 'Whether the stored decision is reproduced, and each difference.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['decisionId', 'ruleSetVersion', 'reproduced', 'differences'],
                    properties: {
                      decisionId: { type: 'string' },
                      ruleSetVersion: { type: 'string' },
                      reproduced: { type: 'boolean' },
                      differences: {
                        type: 'array',
                        items: { type: 'object', required: ['field', 'stored', 'replayed'], properties: { field: { enum: ['outcome', 'reasons', 'offer', 'approvalLevel', 'firedRules'] }, stage: { type: 'string' }, stored: {}, replayed: {} } },
                      },
                    },
                  },
                },
              },
            },
            404: errorResponse('No such decision.'),
            409: errorResponse('The rule set it was made with is not archived (RULE_SET_NOT_ARCHIVED), or it was stored whole before lean records or imported (DECISION_STATE_CONFLICT).'),
          },
        },
      },
      '/decisions/{decisionId}/outcome': {
        post: {
          summary: 'How an approved loan turned out: repaid, defaulted, fraud or written off (idempotent; a later status moves it on)',
          description: 'Feeds calibration: loan_observed_bad_rate against loan_predicted_pd by grade in /metrics. The same report again answers changed: false.',
          parameters: [{ name: 'decisionId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: OUTCOME_SCHEMA } } },
          responses: {
            200: {
              description: 'The outcome in force.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['decisionId', 'changed', 'outcome'],
                    properties: {
                      decisionId: { type: 'string' },
                      changed: { type: 'boolean' },
                      outcome: {
                        type: 'object',
                        required: ['status', 'at', 'grade', 'pd', 'recordedBy', 'recordedAt'],
                        properties: { status: { type: 'string' }, at: { type: 'string' }, grade: { type: ['string', 'null'] }, pd: { type: ['number', 'null'] }, recordedBy: { type: 'string' }, recordedAt: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            },
            400: errorResponse('Invalid body.'),
            404: errorResponse('No such decision (or not one this caller asked for).'),
            409: errorResponse('Not an approved loan, a time outside its life, or a different outcome that is not a later status.'),
          },
        },
      },
      '/decisions/{decisionId}/cancel': {
        post: {
          summary: 'The approved loan was not taken up: release its exposure (exactly once)',
          parameters: [{ name: 'decisionId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: false, content: { 'application/json': { schema: cancelSchema } } },
          responses: {
            200: { description: 'The decision with its history.', ...jsonBody('StoredDecision') },
            404: errorResponse('No such decision.'),
            409: errorResponse('Not a live approval (never approved, or released already).'),
          },
        },
      },
      '/history': {
        post: {
          summary: 'Load past applications with their own submission time, outcome and label (not decided anew, no exposure reserved)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['applications'], additionalProperties: false, properties: { applications: { type: 'array', minItems: 1, maxItems: 1000, items: historyLineSchema } } } } },
          },
          responses: {
            200: {
              description: 'Every line is stored (or was already): the batch loads whole or not at all.',
              content: { 'application/json': { schema: { type: 'object', required: ['imported', 'alreadyPresent'], properties: { imported: { type: 'integer' }, alreadyPresent: { type: 'integer' } } } } },
            },
            400: errorResponse('A line is invalid (details name applications[i].field); nothing was stored.'),
            409: errorResponse('An applicationId is already recorded with a different body.'),
            413: errorResponse('The body exceeds 4 MB.'),
            415: errorResponse('The body is not application/json.'),
            503: errorResponse('Not ready.'),
          },
        },
      },
      '/limits/regions': {
        get: { summary: "Each region's limit, reserved exposure, utilisation and the decisions behind it", responses: { 200: { description: 'Regional exposure.', ...jsonBody('RegionExposure') } } },
      },
      '/rules': {
        get: { summary: 'The active rule set, the last rejected edit, and whether the rules folder still holds the active set', responses: { 200: { description: 'Rule-set status.', ...jsonBody('RulesStatus') } } },
      },
      '/health': {
        get: {
          summary: 'Liveness',
          responses: { 200: { description: 'The process is up.', content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } } } } },
        },
      },
      '/ready': {
        get: {
          summary: 'Readiness',
          responses: { 200: { description: 'Ready (possibly degraded).', ...jsonBody('Readiness') }, 503: { description: 'Not ready.', ...jsonBody('Readiness') } },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    } as Operations),
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'API key (dk_…)', description: `A system's API key; the keys file maps its SHA-256 to roles. Roles: ${Object.entries(ROLE_DESCRIPTIONS).map(([r, d]) => `${r}: ${d}`).join('; ')}.` },
        identityProvider: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A person's token from the configured identity provider (OIDC_ISSUER), with roles and an approval level in configured claims." },
      },
      schemas: {
        Application: applicationSchema,
        Decision: decision,
        StoredDecision: storedDecision,
        Reason: reason,
        Error: error,
        RulesStatus: rulesStatus,
        Readiness: readiness,
        RegionExposure: regionReport,
        ...INVESTIGATOR_OPENAPI.schemas,
        ...GOVERNANCE_OPENAPI.schemas,
      },
    },
  };
}

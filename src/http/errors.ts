// Every error the API can answer with, declared once: code, HTTP status, message.
// Clients and tests match on `code`; internal detail goes to the log, never on the wire.

export const API_ERRORS = {
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  UNREADABLE_BODY: { status: 400, message: 'The request body could not be read (a corrupt compressed stream, or a truncated upload).' },
  VALIDATION_FAILED: { status: 400, message: 'The request does not match the schema; see details.' },
  INVALID_PARAMETER: { status: 400, message: 'A path or query parameter is invalid; see details.' },
  UNAUTHENTICATED: { status: 401, message: 'A valid credential is required: Authorization: Bearer <API key or identity-provider token>.' },
  FORBIDDEN: { status: 403, message: "The caller's roles do not allow this operation." },
  UNKNOWN_PRODUCT: { status: 404, message: 'No rule flow exists for this product.' },
  DECISION_NOT_FOUND: { status: 404, message: 'No decision has this id.' },
  APPLICATION_NOT_FOUND: { status: 404, message: 'No decided application has this id.' },
  RULE_SET_VERSION_NOT_FOUND: { status: 404, message: 'No rule set of this version is in the archive.' },
  BACKTEST_NOT_FOUND: { status: 404, message: 'No backtest has this id.' },
  CLUSTER_NOT_FOUND: { status: 404, message: 'No cluster has this id in the current clustering.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such endpoint.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This endpoint does not accept this method.' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'This applicationId is already in use (decided with a different request body, or by another caller).' },
  INSUFFICIENT_AUTHORITY: { status: 403, message: "The reviewer's approval level is below the level this decision requires." },
  FOUR_EYES_REQUIRED: { status: 409, message: 'Clearing a fraud label needs a second investigator to confirm the request.' },
  DECISION_STATE_CONFLICT: { status: 409, message: 'The decision is not in a state that allows this action.' },
  BACKTEST_STATE_CONFLICT: { status: 409, message: 'The backtest has finished; only a queued or running one can be cancelled.' },
  RULE_SET_NOT_ARCHIVED: { status: 409, message: 'The rule set the decision was made with is not in the archive; it is never replayed on other rules.' },
  REGION_LIMIT_EXCEEDED: { status: 409, message: "The region's exposure limit has no room for this approval." },
  CANDIDATE_RULES_INVALID: { status: 422, message: 'The candidate rule set has errors (the diagnostics rules:check prints, by file, line and JSON path); nothing was backtested.' },
  TOO_MANY_BACKTESTS: { status: 429, message: 'A backtest is running and the queue is full; retry after the Retry-After interval.' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large (64 KB for a decision, 512 KB for a backtest, 4 MB for a history batch).' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the request body as application/json.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is not ready to decide.' },
  STORE_UNAVAILABLE: { status: 503, message: 'The audit store cannot write now (disk full or read-only); nothing was stored. Retry after the Retry-After interval.' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The shared database cannot be reached now; the decision was not acknowledged. Retry after the Retry-After interval: a retry of the same request answers with the stored decision if it was committed.',
  },
  OVERLOADED: { status: 503, message: 'The service is at capacity; nothing was decided or stored. Retry after the Retry-After interval.' },
  INTERNAL: { status: 500, message: 'Internal error; the request was not decided. It is safe to retry.' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ErrorDetail {
  /** The offending field, as a dotted path (applicant.age), or the parameter name. */
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    readonly details?: readonly ErrorDetail[],
    message?: string,
  ) {
    super(message ?? API_ERRORS[code].message);
    this.status = API_ERRORS[code].status;
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

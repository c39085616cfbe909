// Service settings: read once from the environment, validated with one schema, frozen.
// Every problem is reported at once, each naming the setting and what was expected.
import { EVALUATOR_KINDS, type EvaluatorKind } from '../rules/ruleset';
import { Ajv } from 'ajv';

export interface Settings {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly rulesDir: string;
  readonly modelsDir: string;
  /** The model card (in modelsDir) naming the ONNX file to serve. */
  readonly modelCard: string;
  /** The gang-case model's card in MODELS_DIR; without it (or with a bad one) the hand-written cluster flags score. */
  readonly gangModelCard: string;
  readonly environment: 'development' | 'production' | 'test';
  /** HMAC key for identifier hashes; absent in development means "generate one into dataDir". */
  readonly identifierHashKey: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly watchRules: boolean;
  /** compiled (default) or json-rules-engine: the reference evaluator for every stage, a switch operators can pull. */
  readonly rulesEvaluator: EvaluatorKind;
  readonly shutdownGraceMs: number;
  /** After SIGTERM: how long /ready says 503 while requests are still served, so load balancers stop sending. */
  readonly shutdownDelayMs: number;
  /** How often approvals past their expiry are released. */
  readonly expirySweepMs: number;
  /** Country calling code assumed for phone numbers written without one. */
  readonly defaultPhoneCountryCode: string;
  /** Fraud graph: recluster on this period (ms); 0 = never on time. */
  readonly graphReclusterIntervalMs: number;
  /** Fraud graph: recluster after this many new applications; 0 = never on count. */
  readonly graphReclusterEvery: number;
  /** The API keys file (hashes, roles); absent outside production means "generate an admin key into dataDir". */
  readonly apiKeysFile: string | undefined;
  /** How often the keys file is checked for a change (rotation without restart). */
  readonly apiKeysReloadMs: number;
  /** People's tokens: the identity provider's issuer, this service's audience, and its keys (file or URL). */
  readonly oidcIssuer: string | undefined;
  readonly oidcAudience: string | undefined;
  readonly oidcJwksFile: string | undefined;
  readonly oidcJwksUrl: string | undefined;
  readonly oidcRolesClaim: string;
  readonly oidcLevelClaim: string;
  /** Admission control for /decide (src/decision/admission.ts). */
  readonly decideSlots: number;
  readonly decideQueue: number;
  readonly decideQueueWaitMs: number;
  readonly decideMaxEventLoopDelayMs: number;
  /** Retention (src/decision/retention.ts), in days; 0 = kept for ever. */
  readonly decisionRetentionDays: number;
  readonly identifierRetentionDays: number;
  readonly graphWindowDays: number;
  /** How often the retention sweep runs; 0 = never. */
  readonly retentionSweepMs: number;
  /** Threads a backtest asked for over HTTP runs on (at the lowest priority); 0 = one per core. */
  readonly backtestThreads: number;
  /** PostgreSQL shared by replicas (postgres://…); absent: the embedded SQLite store alone, one instance. */
  readonly databaseUrl: string | undefined;
  /** Connections each replica keeps to it. */
  readonly databasePoolSize: number;
  /** statement_timeout of the decision path's transactions, and how long a connection is waited for. */
  readonly databaseStatementTimeoutMs: number;
}

/** Environment variable → setting, with its schema. The names are the public contract. */
const variables = {
  PORT: { key: 'port', schema: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 } },
  HOST: { key: 'host', schema: { type: 'string', minLength: 1, default: '0.0.0.0' } },
  DATA_DIR: { key: 'dataDir', schema: { type: 'string', minLength: 1, default: './data' } },
  RULES_DIR: { key: 'rulesDir', schema: { type: 'string', minLength: 1, default: './rules' } },
  MODELS_DIR: { key: 'modelsDir', schema: { type: 'string', minLength: 1, default: './models' } },
  MODEL_CARD: { key: 'modelCard', schema: { type: 'string', pattern: '^[^/]+\\.json$', default: 'credit-pd.card.json' } },
  GANG_MODEL_CARD: { key: 'gangModelCard', schema: { type: 'string', pattern: '^[^/]+\\.json$', default: 'gang-model.card.json' } },
  NODE_ENV: { key: 'environment', schema: { enum: ['development', 'production', 'test'], default: 'development' } },
  IDENTIFIER_HASH_KEY: { key: 'identifierHashKey', schema: { type: 'string', minLength: 32 } },
  LOG_LEVEL: { key: 'logLevel', schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' } },
  RULES_WATCH: { key: 'watchRules', schema: { type: 'boolean', default: true } },
  RULES_EVALUATOR: { key: 'rulesEvaluator', schema: { enum: [...EVALUATOR_KINDS], default: 'compiled' } },
  SHUTDOWN_GRACE_MS: { key: 'shutdownGraceMs', schema: { type: 'integer', minimum: 0, maximum: 600000, default: 10000 } },
  SHUTDOWN_DELAY_MS: { key: 'shutdownDelayMs', schema: { type: 'integer', minimum: 0, maximum: 600000, default: 0 } },
  EXPIRY_SWEEP_MS: { key: 'expirySweepMs', schema: { type: 'integer', minimum: 100, maximum: 86400000, default: 60000 } },
  DEFAULT_PHONE_COUNTRY_CODE: { key: 'defaultPhoneCountryCode', schema: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', default: '86' } },
  GRAPH_RECLUSTER_INTERVAL_MS: { key: 'graphReclusterIntervalMs', schema: { type: 'integer', minimum: 0, maximum: 86400000, default: 300000 } },
  GRAPH_RECLUSTER_EVERY: { key: 'graphReclusterEvery', schema: { type: 'integer', minimum: 0, maximum: 100000000, default: 1000 } },
  DECIDE_SLOTS: { key: 'decideSlots', schema: { type: 'integer', minimum: 1, maximum: 1024, default: 8 } },
  DECIDE_QUEUE: { key: 'decideQueue', schema: { type: 'integer', minimum: 0, maximum: 100000, default: 256 } },
  DECIDE_QUEUE_WAIT_MS: { key: 'decideQueueWaitMs', schema: { type: 'integer', minimum: 1, maximum: 60000, default: 250 } },
  DECIDE_MAX_EVENT_LOOP_DELAY_MS: { key: 'decideMaxEventLoopDelayMs', schema: { type: 'integer', minimum: 10, maximum: 60000, default: 200 } },
  DECISION_RETENTION_DAYS: { key: 'decisionRetentionDays', schema: { type: 'integer', minimum: 0, maximum: 36500, default: 1825 } },
  IDENTIFIER_RETENTION_DAYS: { key: 'identifierRetentionDays', schema: { type: 'integer', minimum: 0, maximum: 36500, default: 730 } },
  GRAPH_WINDOW_DAYS: { key: 'graphWindowDays', schema: { type: 'integer', minimum: 0, maximum: 36500, default: 730 } },
  RETENTION_SWEEP_MS: { key: 'retentionSweepMs', schema: { type: 'integer', minimum: 0, maximum: 86400000, default: 3600000 } },
  BACKTEST_THREADS: { key: 'backtestThreads', schema: { type: 'integer', minimum: 0, maximum: 64, default: 0 } },
  DATABASE_URL: { key: 'databaseUrl', schema: { type: 'string', pattern: '^postgres(ql)?://' } },
  DATABASE_POOL_SIZE: { key: 'databasePoolSize', schema: { type: 'integer', minimum: 2, maximum: 200, default: 10 } },
  DATABASE_STATEMENT_TIMEOUT_MS: { key: 'databaseStatementTimeoutMs', schema: { type: 'integer', minimum: 100, maximum: 600000, default: 5000 } },
  API_KEYS_FILE: { key: 'apiKeysFile', schema: { type: 'string', minLength: 1 } },
  API_KEYS_RELOAD_MS: { key: 'apiKeysReloadMs', schema: { type: 'integer', minimum: 100, maximum: 3600000, default: 2000 } },
  OIDC_ISSUER: { key: 'oidcIssuer', schema: { type: 'string', minLength: 1 } },
  OIDC_AUDIENCE: { key: 'oidcAudience', schema: { type: 'string', minLength: 1 } },
  OIDC_JWKS_FILE: { key: 'oidcJwksFile', schema: { type: 'string', minLength: 1 } },
  OIDC_JWKS_URL: { key: 'oidcJwksUrl', schema: { type: 'string', pattern: '^https?://' } },
  OIDC_ROLES_CLAIM: { key: 'oidcRolesClaim', schema: { type: 'string', pattern: '^[A-Za-z0-9_:./-]{1,100}$', default: 'roles' } },
  OIDC_LEVEL_CLAIM: { key: 'oidcLevelClaim', schema: { type: 'string', pattern: '^[A-Za-z0-9_:./-]{1,100}$', default: 'approval_level' } },
} as const;

type Variable = keyof typeof variables;

/** Every environment variable the service reads, with its default (the README's configuration table is checked against it). */
export const SETTING_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, (v.schema as { default?: unknown }).default]));

const envSchema = {
  type: 'object',
  properties: Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, v.schema])),
};

const validate = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false }).compile(envSchema);

export class SettingsError extends Error {
  readonly code = 'INVALID_SETTINGS';
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n  ${problems.join('\n  ')}`);
  }
}

function describe(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.join(', ')}`;
  if (schema.type === 'integer') return `an integer from ${schema.minimum} to ${schema.maximum}`;
  if (schema.type === 'boolean') return 'true or false';
  if (schema.pattern) return `a value matching ${schema.pattern}`;
  if (schema.minLength) return `a string of at least ${schema.minLength} characters`;
  return `a ${String(schema.type)}`;
}

/** Reads the settings from an environment map (process.env in production, a literal in tests). */
export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const input: Record<string, unknown> = {};
  for (const name of Object.keys(variables)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') input[name] = raw;
  }
  if (!validate(input)) {
    const problems = (validate.errors ?? []).map((e) => {
      const name = e.instancePath.replace(/^\//, '') as Variable;
      const spec = variables[name];
      const shown = spec?.key === 'identifierHashKey' ? '(hidden)' : JSON.stringify(env[name]);
      return `${name}: expected ${spec ? describe(spec.schema) : e.message}, got ${shown}`;
    });
    throw new SettingsError(problems);
  }
  const settings = Object.fromEntries(
    Object.entries(variables).map(([name, v]) => [v.key, input[name]]),
  ) as unknown as Settings;
  const problems: string[] = [];
  if (settings.environment === 'production' && !settings.identifierHashKey) {
    problems.push('IDENTIFIER_HASH_KEY: required when NODE_ENV=production (a secret of at least 32 characters; identifiers are stored only as HMAC-SHA256 hashes under it)');
  }
  if (settings.environment === 'production' && !settings.apiKeysFile && !settings.oidcIssuer) {
    problems.push('API_KEYS_FILE or OIDC_ISSUER: required when NODE_ENV=production (every endpoint but /health and /ready needs a credential; see docs/security.md)');
  }
  const oidc = [settings.oidcIssuer, settings.oidcAudience, settings.oidcJwksFile ?? settings.oidcJwksUrl];
  if (oidc.some((v) => v !== undefined) && oidc.some((v) => v === undefined)) {
    problems.push('OIDC_ISSUER, OIDC_AUDIENCE and one of OIDC_JWKS_FILE / OIDC_JWKS_URL: set all three to accept identity-provider tokens, or none');
  }
  if (settings.oidcJwksFile && settings.oidcJwksUrl) problems.push('OIDC_JWKS_FILE and OIDC_JWKS_URL: set one, not both');
  if (settings.environment === 'production' && settings.oidcJwksUrl?.startsWith('http:')) problems.push('OIDC_JWKS_URL: must be https when NODE_ENV=production');
  if (settings.decisionRetentionDays > 0 && (settings.identifierRetentionDays === 0 || settings.identifierRetentionDays > settings.decisionRetentionDays)) {
    problems.push(`IDENTIFIER_RETENTION_DAYS: at most DECISION_RETENTION_DAYS (${settings.decisionRetentionDays}): a decision's identifiers go with it`);
  }
  if (settings.identifierRetentionDays > 0 && (settings.graphWindowDays === 0 || settings.graphWindowDays > settings.identifierRetentionDays)) {
    problems.push(`GRAPH_WINDOW_DAYS: at most IDENTIFIER_RETENTION_DAYS (${settings.identifierRetentionDays}): the graph links applications by their identifiers`);
  }
  if (problems.length) throw new SettingsError(problems);
  return Object.freeze(settings);
}

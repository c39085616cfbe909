// The HTTP side: credentials (API keys file, identity provider tokens), the express app with
// its routes, and what /ready reports.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import { ApiKeyRing } from '../access/api-keys';
import { Authenticator } from '../access/authenticator';
import { TokenVerifier } from '../access/tokens';
import { KeysFile, KeysFileError, resolveKeysFile } from '../config/api-keys-file';
import type { Settings } from '../config/settings';
import type { Application } from '../decision/application';
import { exposureReport } from '../decision/reservations';
import { CANCEL_SCHEMA, createApp, SIGN_OFF_SCHEMA } from '../http/app';
import { consoleRouter } from '../http/console-routes';
import { governanceRouter } from '../http/governance-routes';
import { clusterFiltersOf, investigatorRouter } from '../http/investigator-routes';
import { buildOpenApi } from '../http/openapi';
import { compileValidator } from '../http/validation';
import { REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import type { Metrics } from '../observability/metrics';
import type { RuleSetHolder } from '../rules/hot-reload';
import { StartupError, type Built, type Root } from './built';
import type { Decisions } from './decisions';
import type { FraudGraphPart } from './fraud-graph';
import type { Governance } from './governance';
import type { Models } from './models';
import { rulesReadiness } from './rules';
import { requestRecluster } from '../store/postgres/clusterings';
import type { Stores } from './store';

export const SERVICE_VERSION = '0.1.0';



/** On a replica: an investigator's recluster request reaching one that does not recluster goes to the lease holder. */
function reclusterElsewhere(stores: Stores, settings: Settings): { requestRecluster?: () => Promise<void> } {
  const shared = stores.replica;
  if (!shared) return {};
  return { requestRecluster: () => requestRecluster(shared.pool, randomUUID(), settings.databaseStatementTimeoutMs) };
}

export async function buildHttp(
  { settings, logger, metrics, clock }: Root,
  parts: { rules: RuleSetHolder; models: Models; stores: Stores; fraud: FraudGraphPart; decided: Decisions; governance: Governance; draining: () => boolean; cursorKey: Buffer },
): Promise<Built<ReturnType<typeof createApp>>> {
  const { rules, stores: { store, graphStore, exposure }, fraud: { graph, clusterConfig } } = parts;
  const { decisions, lifecycle, history, applicationSchema, historyLineSchema, ruleVersions, outcomes } = parts.decided;
  const { creditLoad: modelLoad, gangLoad } = parts.models;
  const access = await buildAccess(settings, logger, metrics, clock);

  const app = createApp({
    decisions,
    lifecycle,
    outcomes,
    history,
    exposureReport: () => exposureReport(store, exposure, rules.current.tables.get(REGIONS_TABLE) as RegionsTable),
    rules,
    ruleVersions,
    metrics,
    logger,
    validateApplication: compileValidator<Application>(applicationSchema),
    openapi: buildOpenApi(applicationSchema, SERVICE_VERSION, SIGN_OFF_SCHEMA, CANCEL_SCHEMA, historyLineSchema),
    authenticator: access.authenticator,
    accessHooks: {
      // Logged without the credential; the label is one of two fixed words.
      onRefused: (result, detail) => {
        metrics.authRefusals.inc({ result });
        logger.warn({ result, ...detail }, 'request refused');
      },
    },
    // A cursor is valid until the next recluster; its key is the same on every replica (main.ts).
    extraRouters: [
      (guard) => investigatorRouter({ graph, store: graphStore, labels: parts.stores.labels, ...reclusterElsewhere(parts.stores, settings), linking: () => clusterConfig().linking, clock, cursorKey: parts.cursorKey, clusterFilters: () => clusterFiltersOf(rules.current) }, guard),
      (guard) => governanceRouter(parts.governance, guard),
      () => consoleRouter({ onLoaded: (detail) => logger.info(detail, 'investigator console loaded') }),
    ],
    draining: parts.draining,
    readiness: () => ({
      credentials: access.keysFile?.lastRejection
        ? { ok: true, degraded: true, detail: `serving the last good API keys; ${access.keysFile.file} was rejected: ${access.keysFile.lastRejection.messages.join('; ')}` }
        : { ok: true, detail: access.describe },
      rules: rulesReadiness(rules),
      ...(parts.stores.replica ? { database: parts.stores.replica.replica.readiness() } : {}),
      store: store.storageFault
        ? { ok: false, detail: `cannot write since ${new Date(store.storageFault.since).toISOString()} (${store.storageFault.code}: disk full, read-only or failing); decisions are refused until a write succeeds` }
        : { ok: true },
      // A model that is missing, unreadable or refused (hash, card, reference rows) is never served:
      // decisions take the scoring stage's fallback, and /ready says why.
      model:
        modelLoad.status === 'ready'
          ? { ok: true, detail: modelLoad.detail }
          : { ok: true, degraded: true, detail: `${modelLoad.detail}; decisions take the scoring stage's fallback (MODEL_UNAVAILABLE)` },
      gangModel:
        gangLoad.status === 'ready'
          ? { ok: true, detail: gangLoad.detail }
          : gangLoad.status === 'unavailable'
            ? { ok: true, detail: `${gangLoad.detail.replace(/\.$/, '')}; the hand-written cluster flags score communities` }
            : { ok: true, degraded: true, detail: `${gangLoad.detail.replace(/\.$/, '')}; the hand-written cluster flags score communities (flags only)` },
    }),
  });
  return { value: app, close: () => access.keysFile?.close() };
}

/** Credentials: the API keys file (watched for rotation) and, if configured, the identity provider's token keys. */
async function buildAccess(settings: Settings, logger: Logger, metrics: Metrics, clock: () => number) {
  const ring = new ApiKeyRing();
  const file = resolveKeysFile(settings, (keyFile) => logger.warn({ keyFile }, 'generated a development admin API key; set API_KEYS_FILE (or OIDC_*) in production'));
  let keysFile: KeysFile | undefined;
  if (file) {
    keysFile = new KeysFile(file, ring, {
      onLoaded: (keys) => {
        metrics.apiKeysReloads.inc({ result: 'loaded' });
        logger.info({ file, keys }, 'API keys loaded');
      },
      onRejected: (rejection) => {
        metrics.apiKeysReloads.inc({ result: 'rejected' });
        logger.error({ file, errors: rejection.messages }, 'API keys file rejected; the last good keys stay in force');
      },
    });
    try {
      await keysFile.load();
    } catch (err) {
      throw new StartupError((err as KeysFileError).message);
    }
    keysFile.watch(settings.apiKeysReloadMs);
  }
  let tokens: TokenVerifier | undefined;
  if (settings.oidcIssuer && settings.oidcAudience) {
    let jwks: URL | JSONWebKeySet;
    try {
      jwks = settings.oidcJwksUrl ? new URL(settings.oidcJwksUrl) : JSON.parse(readFileSync(settings.oidcJwksFile ?? '', 'utf8'));
    } catch (err) {
      throw new StartupError(`OIDC_JWKS_FILE ${settings.oidcJwksFile}: cannot read the identity provider's keys (${(err as Error).message})`);
    }
    try {
      tokens = new TokenVerifier({ issuer: settings.oidcIssuer, audience: settings.oidcAudience, jwks, rolesClaim: settings.oidcRolesClaim, levelClaim: settings.oidcLevelClaim });
    } catch (err) {
      throw new StartupError(`OIDC_JWKS_FILE ${settings.oidcJwksFile}: not a JSON Web Key Set (${(err as Error).message})`);
    }
  }
  const describe = [file ? `API keys from ${file}` : undefined, tokens ? `tokens from ${settings.oidcIssuer}` : undefined].filter(Boolean).join('; ');
  return { authenticator: new Authenticator({ keys: ring, ...(tokens ? { tokens } : {}), clock }), keysFile, describe };
}

// The composition root: reads settings, builds the store, rules, model and graph, wires HTTP.
// The only module that touches process.*; everything else receives what it needs, so tests
// build the same service with test settings through createService.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import { ApiKeyRing } from './access/api-keys';
import { Authenticator } from './access/authenticator';
import { TokenVerifier } from './access/tokens';
import { KeysFile, KeysFileError, resolveKeysFile } from './config/api-keys-file';
import { loadSettings, SettingsError, type Settings } from './config/settings';
import { buildApplicationSchema, categoricalDomainsOf, type Application } from './decision/application';
import { identifierKey } from './config/identifier-key';
import type { StageProviders } from './decision/flow';
import { factOf } from './rules/facts';
import { standardProviders } from './decision/stages';
import { exposureReport, loadExposureBook } from './decision/exposure';
import { buildHistoryLineSchema, HistoryService } from './decision/history';
import { Admission } from './decision/admission';
import { DecisionLifecycle } from './decision/lifecycle';
import { graphWindowStart, RetentionSweeper } from './decision/retention';
import { DecisionService, type DecisionDocument } from './decision/service';
import { regionLabel, REGIONS_TABLE, type RegionsTable } from './limits/regions';
import { VELOCITY_WINDOW_MS, VelocityIndex } from './fraud/velocity';
import { CLUSTERS_TABLE, type ClusterConfig } from './graph/config';
import { FraudGraph } from './graph/fraud-graph';
import { GANG_FEATURES } from './graph/gang-features';
import { loadGangModel } from './graph/gang-model';
import { WorkerRunner, type ReclusterRunner } from './graph/recluster-runner';
import { CANCEL_SCHEMA, createApp, SIGN_OFF_SCHEMA } from './http/app';
import { investigatorRouter } from './http/investigator-routes';
import { buildOpenApi } from './http/openapi';
import { compileChecker, compileValidator } from './http/validation';
import { IdentifierProtector, type IdentifierType } from './identity/identifiers';
import { EventLoopDelay } from './observability/event-loop';
import { createLogger } from './observability/logger';
import { createMetrics, reportPsi, type Metrics } from './observability/metrics';
import { formatDiagnostic } from './rules/diagnostics';
import { RuleSetHolder } from './rules/hot-reload';
import { loadRuleSet } from './rules/load';
import { MODEL_INPUT_FIELDS } from './rules/facts';
import { loadCreditModel, type ModelLoad } from './scoring/onnx-model';
import { PsiMonitor } from './scoring/psi';
import { AuditStore, type DecisionRow } from './store/audit-store';
import { GraphStore } from './store/graph-store';
import { checkStoreIdentifierKey } from './store/identifier-key-chain';

const SERVICE_VERSION = '0.1.0';

export interface ServiceOverrides {
  /** Replace or add stage fact providers (tests use this to make a stage hang or fail). */
  readonly providers?: StageProviders;
  readonly clock?: () => number;
  /** Where the fraud graph reclusters (tests hold a recluster open); default: the worker. */
  readonly reclusterRunner?: ReclusterRunner;
}

export interface Service {
  readonly app: ReturnType<typeof createApp>;
  readonly metrics: Metrics;
  readonly rules: RuleSetHolder;
  readonly store: AuditStore;
  /** The fraud graph: identity graph, last clustering, recluster schedule. */
  readonly graph: FraudGraph;
  /** Decision slots and queue (load shedding). */
  readonly admission: Admission;
  /** The retention sweep (runs on RETENTION_SWEEP_MS; tests run it directly). */
  readonly retention: RetentionSweeper;
  /** From now on /ready answers 503 (shutting down); decisions are still served. */
  drain(): void;
  /** Stops rule watching and closes the store (after the HTTP server has drained). */
  close(): Promise<void>;
}

export class StartupError extends Error {}

/** Metrics and the log line of one decision. Region labels come from the configuration only (regionLabel), never from the request. */
function logDecision(logger: Logger, metrics: Metrics, doc: DecisionDocument, regions: RegionsTable): void {
  const region = regionLabel(doc.region, regions);
  metrics.decisions.inc({ product: doc.product, outcome: doc.outcome });
  metrics.decisionDuration.observe({ product: doc.product }, doc.timings.totalMs);
  const fallbacks: string[] = [];
  for (const stage of doc.stages) {
    metrics.stageDuration.observe({ stage: stage.stage }, stage.durationMs);
    if (stage.fallback) {
      metrics.stageFallbacks.inc({ stage: stage.stage, cause: stage.fallback.cause });
      if (stage.stage === 'scoring') metrics.modelFallbacks.inc({ cause: stage.fallback.cause });
      fallbacks.push(`${stage.stage}:${stage.fallback.cause}`);
    }
    for (const r of stage.rules) if (r.fired) metrics.ruleHits.inc({ product: doc.product, stage: stage.stage, rule: r.rule });
  }
  for (const r of doc.reasons) metrics.reasons.inc({ code: r.code });
  const exposure = factOf(doc.facts, 'exposure');
  if (doc.outcome === 'approve' && exposure) metrics.regionUtilisation.set({ region }, exposure.limit > 0 ? (exposure.reserved + exposure.amount) / exposure.limit : 1);
  if (doc.reasons.some((r) => r.code === 'REGION_LIMIT_NEAR')) metrics.regionLimitNear.inc({ region });
  if (doc.reasons.some((r) => r.code === 'REGION_LIMIT_EXCEEDED')) metrics.regionLimitExceeded.inc({ region });
  logger.info(
    {
      decisionId: doc.decisionId,
      applicationId: doc.applicationId,
      product: doc.product,
      region: doc.region,
      outcome: doc.outcome,
      reasons: doc.reasons.map((r) => r.code),
      rulesVersion: doc.versions.rules,
      totalMs: doc.timings.totalMs,
      ...(fallbacks.length ? { fallbacks } : {}),
    },
    'decision',
  );
}

export async function createService(settings: Settings, logger: Logger, overrides: ServiceOverrides = {}): Promise<Service> {
  mkdirSync(settings.dataDir, { recursive: true });
  const clock = overrides.clock ?? Date.now;
  const metrics = createMetrics();
  // The store's key fingerprint is checked (refusing another key) and its chain of earlier keys opened before anything hashes.
  const { keys: identifierKeys } = checkStoreIdentifierKey(path.join(settings.dataDir, 'audit.db'), identifierKey(settings, (file) => logger.warn({ file }, 'generated a development identifier hash key; set IDENTIFIER_HASH_KEY in production')), settings.identifierHashKey ? 'IDENTIFIER_HASH_KEY' : path.join(settings.dataDir, 'identifier-hash.key'));
  const protector = new IdentifierProtector(identifierKeys, { defaultCountryCode: settings.defaultPhoneCountryCode });
  const compile = () => loadRuleSet(settings.rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw) });

  const initial = await compile();
  if (!initial.ok) {
    throw new StartupError(`rules in ${settings.rulesDir} are invalid:\n  ${initial.diagnostics.map(formatDiagnostic).join('\n  ')}`);
  }
  const rules = new RuleSetHolder(initial.ruleSet, compile, {
    onReloaded: (ruleSet, previous) => {
      metrics.ruleReloads.inc({ result: 'loaded' });
      metrics.ruleSetValid.set(1);
      metrics.ruleSetInfo.reset();
      metrics.ruleSetInfo.set({ version: ruleSet.version }, 1);
      logger.info({ version: ruleSet.version, previous: previous.version }, 'rules reloaded');
    },
    onRejected: (rejection) => {
      metrics.ruleReloads.inc({ result: 'rejected' });
      metrics.ruleSetValid.set(0);
      logger.error({ errors: rejection.messages, serving: rules.current.version }, 'rules edit rejected; the last good rule set keeps serving');
    },
    onUnchanged: () => metrics.ruleReloads.inc({ result: 'unchanged' }),
  });
  metrics.ruleSetValid.set(1);
  metrics.ruleSetInfo.set({ version: initial.ruleSet.version }, 1);
  if (settings.watchRules) rules.watch(settings.rulesDir);

  const modelLoad: ModelLoad = await loadCreditModel(settings.modelsDir, settings.modelCard, MODEL_INPUT_FIELDS);
  const model = modelLoad.status === 'ready' ? modelLoad.model : undefined;
  const card = modelLoad.status === 'ready' ? modelLoad.model.card : modelLoad.status === 'mismatch' ? modelLoad.card : undefined;
  metrics.modelInfo.set({ version: model?.version ?? card?.modelId ?? 'none', status: modelLoad.status }, 1);
  (modelLoad.status === 'ready' ? logger.info.bind(logger) : logger.error.bind(logger))({ model: modelLoad.detail, status: modelLoad.status }, 'credit model');
  const psi = card ? new PsiMonitor(card.scoreDistribution.binEdges, card.scoreDistribution.proportions) : undefined;

  const store = new AuditStore(path.join(settings.dataDir, 'audit.db'));
  store.onFault = (fault) => logger.error({ code: fault.code }, 'the audit store cannot write; decisions are refused (503) until a write succeeds');
  // While writes fail, a small write is tried every second; the first that succeeds makes the service ready again.
  const storeProbe = setInterval(() => {
    if (store.storageFault && store.probe()) logger.info('the audit store writes again; ready');
  }, 1000).unref();
  const exposure = loadExposureBook(store);
  const velocity = new VelocityIndex();
  for (const s of store.identifiersSince(clock() - VELOCITY_WINDOW_MS)) velocity.record({ type: s.type as IdentifierType, hash: s.hash, at: s.at });
  const pruneTimer = setInterval(() => velocity.prune(clock()), 10 * 60 * 1000).unref();

  // The gang-case model scores communities in the recluster worker, which loads it again there;
  // loading it here checks it (hash, features, reference rows) for /ready before any recluster.
  const gangLoad = await loadGangModel(settings.modelsDir, settings.gangModelCard, GANG_FEATURES);
  if (gangLoad.status === 'ready') await gangLoad.model.close();
  (gangLoad.status === 'mismatch' ? logger.error.bind(logger) : logger.info.bind(logger))({ gangModel: gangLoad.detail, status: gangLoad.status }, 'gang-case model');

  const graphStore = new GraphStore(store.database);
  const clusterConfig = () => rules.current.tables.get(CLUSTERS_TABLE) as ClusterConfig;
  const graph = new FraudGraph({
    config: clusterConfig,
    runner: overrides.reclusterRunner ?? new WorkerRunner(gangLoad.status === 'ready' ? { dir: settings.modelsDir, cardFile: settings.gangModelCard } : undefined),
    reclusterEvery: settings.graphReclusterEvery,
    reclusterIntervalMs: settings.graphReclusterIntervalMs,
    clock,
    onReclustered: (summary, generation) => logger.info({ generation, ...summary }, 'fraud graph reclustered'),
    onReclusterFailed: (err) => logger.error({ err: err.message }, 'fraud graph recluster failed; the previous clustering stays in force'),
  });
  const retentionPolicy = { decisionDays: settings.decisionRetentionDays, identifierDays: settings.identifierRetentionDays, graphWindowDays: settings.graphWindowDays };
  // Only applications inside the graph's window are held in memory (at start and as they arrive).
  const graphWindowFrom = () => graphWindowStart(retentionPolicy, clock()) ?? Number.MIN_SAFE_INTEGER;
  const graphStart = performance.now();
  for (const a of graphStore.applications(graphWindowFrom())) graph.identity.add(a);
  for (const l of graphStore.currentLabels()) graph.label(l.applicationId, l.label);
  logger.info({ applications: graph.identity.applications, sharedIdentifiers: graph.identity.sharedIdentifiers, ms: Math.round(performance.now() - graphStart) }, 'fraud graph rebuilt');
  if (graph.identity.applications > 0) void graph.recluster().catch(() => undefined);
  graph.start();

  /** A committed application, decided or imported, joins the velocity index and the fraud graph at its own time. */
  const remember = (row: DecisionRow, clusterId?: string | null) => {
    for (const id of row.identifiers) velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt });
    const { applicationId, decidedAt, outcome, identifiers, fraudEvidence } = row;
    if (decidedAt < graphWindowFrom()) return;
    graph.add({ applicationId, decidedAt, outcome, fraudEvidence, identifiers }, clusterId);
  };
  const applicationSchema = buildApplicationSchema(categoricalDomainsOf(card));
  const historyLineSchema = buildHistoryLineSchema(applicationSchema);
  const history = new HistoryService({
    store,
    labels: graphStore,
    protector,
    ruleSet: () => rules.current,
    clock,
    validate: compileChecker(historyLineSchema),
    onImported: (imported) => {
      for (const { row, label } of imported) {
        remember(row);
        if (label) graph.label(row.applicationId, label);
      }
      logger.info({ applications: imported.length }, 'history imported');
    },
  });

  const loopDelay = new EventLoopDelay();
  const admission = new Admission(
    { slots: settings.decideSlots, queue: settings.decideQueue, maxWaitMs: settings.decideQueueWaitMs, maxLoopDelayMs: settings.decideMaxEventLoopDelayMs },
    () => loopDelay.recentMaxMs(),
  );
  const loadGauges = setInterval(() => {
    metrics.decisionsInFlight.set(admission.inFlight);
    metrics.decisionsQueued.set(admission.queued);
    metrics.eventLoopDelay.set(loopDelay.recentMaxMs());
  }, 1000).unref();
  const decisions = new DecisionService({
    admission,
    onShed: (reason) => metrics.decisionsShed.inc({ reason }),
    store,
    exposure,
    ruleSet: () => rules.current,
    protector,
    clock,
    modelVersion: () => model?.version,
    providers: {
      ...standardProviders({
        velocity,
        exposure,
        graph,
        clock,
        scoring: {
          model: () => model,
          unavailableReason: () => modelLoad.detail,
          onScored: (ms, pd) => {
            metrics.modelDuration.observe(ms);
            if (psi) {
              psi.record(pd);
              reportPsi(metrics, psi.value(), psi.sample);
            }
          },
        },
      }),
      ...overrides.providers,
    },
    onCommitted: (row, document) => remember(row, factOf(document.facts, 'fraud')?.clusterId),
    observer: {
      onDecision: (doc) => logDecision(logger, metrics, doc, rules.current.tables.get(REGIONS_TABLE) as RegionsTable),
      onReplay: () => metrics.replays.inc(),
    },
  });

  const lifecycle = new DecisionLifecycle({
    store,
    exposure,
    ruleSet: () => rules.current,
    clock,
    onReleased: (r, reason) => {
      metrics.exposureReleases.inc({ reason });
      logger.info({ decisionId: r.decisionId, region: r.region, amount: r.amount, reason }, 'exposure released');
    },
  });
  const expireDue = () =>
    lifecycle.expireDue().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'expiring approvals failed'));
  await expireDue();
  const expiryTimer = setInterval(() => void expireDue(), settings.expirySweepMs).unref();

  const retention = new RetentionSweeper({
    store,
    graphStore,
    graph,
    policy: retentionPolicy,
    clock,
    onPurged: (kind, count) => metrics.retentionPurged.inc({ kind }, count),
  });
  const sweep = () =>
    retention
      .sweep()
      .then((r) => {
        if (r.identifiers || r.decisions || r.graph) logger.info({ ...r, ms: Math.round(r.ms) }, 'retention sweep');
      })
      .catch((err: unknown) => logger.error({ err: (err as Error).message }, 'retention sweep failed; the next one carries on'));
  // The first sweep a minute after start (not during it), then on the period.
  const retentionTimers =
    settings.retentionSweepMs > 0 ? [setTimeout(() => void sweep(), Math.min(60_000, settings.retentionSweepMs)).unref(), setInterval(() => void sweep(), settings.retentionSweepMs).unref()] : [];

  const access = await buildAccess(settings, logger, metrics, clock);

  let closing = false;
  const app = createApp({
    decisions,
    lifecycle,
    history,
    exposureReport: () => exposureReport(store, exposure, rules.current.tables.get(REGIONS_TABLE) as RegionsTable),
    rules,
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
    // A cursor is valid until the next recluster, so a key per process is enough.
    extraRouters: [(guard) => investigatorRouter({ graph, store: graphStore, linking: () => clusterConfig().linking, clock, cursorKey: randomBytes(32) }, guard)],
    draining: () => closing,
    readiness: () => ({
      credentials: access.keysFile?.lastRejection
        ? { ok: true, degraded: true, detail: `serving the last good API keys; ${access.keysFile.file} was rejected: ${access.keysFile.lastRejection.messages.join('; ')}` }
        : { ok: true, detail: access.describe },
      rules: rules.lastRejection
        ? { ok: true, degraded: true, detail: `serving ${rules.current.version}; the last edit was rejected (see GET /rules)` }
        : { ok: true, detail: `rule set ${rules.current.version}` },
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

  logger.info({ rules: initial.ruleSet.version, products: [...initial.ruleSet.flows.keys()], decisions: store.countDecisions() }, 'service built');
  return {
    app,
    metrics,
    rules,
    store,
    graph,
    admission,
    retention,
    drain() {
      closing = true;
    },
    async close() {
      closing = true;
      clearInterval(pruneTimer);
      clearInterval(expiryTimer);
      clearInterval(storeProbe);
      for (const t of retentionTimers) clearTimeout(t);
      await retention.close();
      access.keysFile?.close();
      loopDelay.close();
      clearInterval(loadGauges);
      await rules.close();
      await graph.close();
      store.close();
    },
  };
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

const portOf = (server: Server, fallback: number) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
};

/** What the service answers before it is built: alive, not ready. */
export const answerWhileStarting: RequestListener = (req, res) => {
  const alive = req.url === '/health';
  const body = alive
    ? { status: 'ok' }
    : req.url === '/ready'
      ? { status: 'not_ready', checks: { startup: { ok: false, detail: 'starting: loading the store, rules, credit model and fraud graph' } } }
      : { error: { code: 'SERVICE_UNAVAILABLE', message: 'The service is starting; retry shortly.' } };
  res.writeHead(alive ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', ...(alive ? {} : { 'retry-after': '5' }) });
  res.end(JSON.stringify(body));
};

/** Listens, and on SIGTERM/SIGINT stops accepting, lets in-flight requests finish, closes the store. */
async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings(process.env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  // Everything this process creates (the audit store, its WAL, the development keys) is readable
  // by the service's own user only.
  process.umask(0o077);
  const logger = createLogger(settings.logLevel);
  // Listen from the first moment: while the store, rules, model and fraud graph load (a large
  // graph takes a while to rebuild), /health answers and everything else says "not ready yet".
  let handler: RequestListener = answerWhileStarting;
  const server: Server = createServer((req, res) => handler(req, res));
  // A client must send its headers within 10 s and its whole request within 30 s: slow-header and
  // one-byte-every-few-seconds clients cannot hold sockets open indefinitely.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // A port in use (or not ours to take) is a configuration problem: one line and exit 78, like a bad setting.
  server.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`PORT/HOST: cannot listen on ${settings.host}:${settings.port} (${err.code}${err.code === 'EADDRINUSE' ? ': the port is in use' : ''})\n`);
      process.exit(78);
    }
    throw err;
  });
  server.listen(settings.port, settings.host, () => {
    logger.info({ port: portOf(server, settings.port), dataDir: settings.dataDir }, 'listening');
  });
  let service: Service;
  try {
    service = await createService(settings, logger);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'could not start');
    process.exit(1);
  }
  let stopping = false;
  // While draining, every response closes its connection: keep-alive clients reconnect (to
  // another replica) instead of sending their next request down a socket about to close.
  handler = (req, res) => {
    if (stopping) res.setHeader('connection', 'close');
    service.app(req, res);
  };
  logger.info({ port: portOf(server, settings.port) }, 'ready');
  server.keepAliveTimeout = 5000;

  // SIGTERM: /ready turns 503 at once; requests are still served (each closing its connection)
  // for SHUTDOWN_DELAY_MS, so load balancers notice; then the listener closes, idle sockets close,
  // in-flight requests finish, and the store closes last.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.drain();
    logger.info({ signal, delayMs: settings.shutdownDelayMs }, 'shutting down: not ready; draining');
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish within the grace period; exiting');
      process.exit(1);
    }, settings.shutdownDelayMs + settings.shutdownGraceMs).unref();
    setTimeout(() => {
      const idle = setInterval(() => server.closeIdleConnections(), 100).unref();
      server.closeIdleConnections();
      server.close(async () => {
        clearInterval(idle);
        await service.close();
        clearTimeout(force);
        logger.info('stopped');
        process.exit(0);
      });
    }, settings.shutdownDelayMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void service.rules.reload());
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main();
}

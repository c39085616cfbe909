// The entry point and the wiring diagram: createService builds the parts (src/composition) in
// order and closes them in reverse; main() reads the settings, listens, and handles signals. The
// only module that touches process.*; tests build the same service through createService.
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { Assembly, type Root, type ServiceOverrides } from './composition/built';
import { buildDecisions } from './composition/decisions';
import { buildFraudGraph } from './composition/fraud-graph';
import { buildGovernance } from './composition/governance';
import { buildHttp } from './composition/http';
import { buildModels } from './composition/models';
import { buildRules } from './composition/rules';
import { buildStores, followReplicas } from './composition/store';
import { identifierKey } from './config/identifier-key';
import { loadSettings, SettingsError, type Settings } from './config/settings';
import type { Admission } from './decision/admission';
import type { RetentionSweeper } from './decision/retention';
import type { FraudGraph } from './graph/fraud-graph';
import type { createApp } from './http/app';
import { IdentifierProtector } from './identity/identifiers';
import { createLogger } from './observability/logger';
import { createMetrics, type Metrics } from './observability/metrics';
import type { RuleSetHolder } from './rules/hot-reload';
import type { AuditStore } from './store/audit-store';
import { checkStoreIdentifierKey } from './store/identifier-key-chain';

export { StartupError, type ServiceOverrides } from './composition/built';

/**
 * The key cluster-page cursors are signed with, derived from the identifier key every replica
 * shares: a cursor one replica issued pages on any other (the generation it names is shared too).
 */
function cursorKeyOf(keys: readonly Buffer[]): Buffer {
  return createHmac('sha256', keys[keys.length - 1] as Buffer).update('cluster-page cursor v1').digest();
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


export async function createService(settings: Settings, logger: Logger, overrides: ServiceOverrides = {}): Promise<Service> {
  mkdirSync(settings.dataDir, { recursive: true });
  const root: Root = { settings, logger, metrics: createMetrics(), clock: overrides.clock ?? Date.now, overrides };
  // The store's key fingerprint is checked (refusing another key) and its chain of earlier keys opened before anything hashes.
  const { keys, fingerprint } = checkStoreIdentifierKey(
    path.join(settings.dataDir, 'audit.db'),
    identifierKey(settings, (file) => logger.warn({ file }, 'generated a development identifier hash key; set IDENTIFIER_HASH_KEY in production')),
    settings.identifierHashKey ? 'IDENTIFIER_HASH_KEY' : path.join(settings.dataDir, 'identifier-hash.key'),
  );
  const protector = new IdentifierProtector(keys, { defaultCountryCode: settings.defaultPhoneCountryCode });

  // The wiring diagram: each part from the ones before it; closed in reverse order.
  const parts = new Assembly();
  let draining = false;
  try {
    const models = await parts.add(buildModels(root));
    const rules = await parts.add(buildRules(root, protector, models));
    const stores = await parts.add(buildStores(root, fingerprint));
    const fraud = await parts.add(buildFraudGraph(root, rules, models, stores));
    const decided = await parts.add(buildDecisions(root, protector, rules, models, stores, fraud));
    await parts.add(followReplicas(root, stores, fraud, decided.outcomes));
    const governance = await parts.add(buildGovernance(root, { keys, protector, rules, models, stores, decided }));
    const app = await parts.add(buildHttp(root, { rules, models, stores, fraud, decided, governance, draining: () => draining, cursorKey: cursorKeyOf(keys) }));
    logger.info({ rules: rules.current.version, products: [...rules.current.flows.keys()], decisions: stores.store.countDecisions() }, 'service built');
    return {
      app,
      metrics: root.metrics,
      rules,
      store: stores.store,
      graph: fraud.graph,
      admission: decided.admission,
      retention: decided.retention,
      drain() {
        draining = true;
      },
      async close() {
        draining = true;
        await parts.close();
      },
    };
  } catch (err) {
    await parts.close().catch(() => undefined);
    throw err;
  }
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

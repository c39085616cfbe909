// The audit store and what lives beside it in memory: the exposure book (mirror of the ledger's
// live reservations) and the identifier velocity index (the last 24 h of the store).
import path from 'node:path';
import { loadExposureBook } from '../decision/reservations';
import { VELOCITY_WINDOW_MS, VelocityIndex } from '../velocity/velocity-index';
import type { IdentifierType } from '../identity/identifiers';
import type { ExposureBook } from '../limits/exposure-book';
import { AuditStore } from '../store/audit-store';
import { GraphStore } from '../store/graph-store';
import type { DecisionCommitter } from '../store/decision-commit';
import { LocalDecisionCommitter } from '../store/local-decision-commit';
import type { DecisionChanger } from '../store/decision-change';
import { LocalDecisionChanger } from '../store/local-decision-change';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings';
import { withDefaultUser } from '../store/postgres/connection';
import { PgDecisionChanger } from '../store/postgres/decision-change';
import { PgDecisionCommitter } from '../store/postgres/decisions';
import { PgLabelRecorder } from '../store/postgres/labels';
import { LocalLabelRecorder, type LabelRecorder } from '../store/label-record';
import type { FraudGraph } from '../graph/fraud-graph';
import type { DecisionRow, LoanOutcomeRow } from '../store/audit-store';
import { migrate } from '../store/postgres/migrations';
import { Replica } from '../store/postgres/replica';
import { PgRetention } from '../store/postgres/retention';
import { LeaseKeeper } from '../store/postgres/lease';
import { readClustering } from '../store/postgres/clusterings';
import { resultFrom } from '../graph/published-clustering';
import { StartupError, type Built, type Root } from './built';

export interface Stores {
  /** The embedded store: the whole record on one instance; this replica's local copy with DATABASE_URL. */
  readonly store: AuditStore;
  readonly graphStore: GraphStore;
  readonly exposure: ExposureBook;
  readonly velocity: VelocityIndex;
  readonly committer: DecisionCommitter;
  readonly changer: DecisionChanger;
  readonly labels: LabelRecorder;
  /** With DATABASE_URL: this replica of several sharing PostgreSQL (src/store/postgres/replica.ts). */
  readonly replica?: SharedDatabase;
}

export interface SharedDatabase {
  /** Decisions' commits and changes, leases. */
  readonly pool: pg.Pool;
  /** The decision stream's own (replica.ts says why). */
  readonly followPool: pg.Pool;
  readonly replica: Replica;
  /** The replica holding it computes and publishes the clusterings; the others adopt them. */
  readonly reclusterLease: LeaseKeeper;
  /** Retention's passes on the shared database (run under the sweep's lease). */
  readonly retention: PgRetention;
}

export async function buildStores({ settings, logger, clock }: Root, identifierKeyFingerprint: string): Promise<Built<Stores>> {
  const store = new AuditStore(path.join(settings.dataDir, 'audit.db'), { decisionWriter: 'worker' });
  store.onFault = (fault) => logger.error({ code: fault.code }, 'the audit store cannot write; decisions are refused (503) until a write succeeds');
  store.onWriterLost = (failure) => logger.error({ code: failure.code }, 'the decision writer thread stopped; the decisions it held were not acknowledged; a new thread takes over');
  try {
    await store.ready();
  } catch (err) {
    await store.close();
    throw err;
  }
  // While writes fail, a small write is tried every second; the first that succeeds makes the service ready again.
  const storeProbe = setInterval(() => {
    if (store.storageFault && store.probe()) logger.info('the audit store writes again; ready');
  }, 1000).unref();
  const exposure = loadExposureBook(store);
  const velocity = new VelocityIndex();
  for (const s of store.identifiersSince(clock() - VELOCITY_WINDOW_MS)) velocity.record({ type: s.type as IdentifierType, hash: s.hash, at: s.at });
  const pruneTimer = setInterval(() => velocity.prune(clock()), 10 * 60 * 1000).unref();
  const graphStore = new GraphStore(store.database);
  let shared: SharedDatabase | undefined;
  try {
    shared = settings.databaseUrl === undefined ? undefined : await openSharedDatabase(settings, logger, store, graphStore, exposure, identifierKeyFingerprint);
  } catch (err) {
    clearInterval(storeProbe);
    clearInterval(pruneTimer);
    await store.close();
    throw err;
  }
  return {
    value: {
      store,
      graphStore,
      exposure,
      velocity,
      committer: shared?.replica ?? new LocalDecisionCommitter(store, exposure),
      changer: shared?.replica ?? new LocalDecisionChanger(store, exposure),
      labels: shared?.replica ?? new LocalLabelRecorder(graphStore),
      ...(shared ? { replica: shared } : {}),
    },
    close: async () => {
      clearInterval(storeProbe);
      clearInterval(pruneTimer);
      if (shared) {
        await shared.reclusterLease.stop();
        await shared.replica.stop();
        await Promise.all([shared.pool.end(), shared.followPool.end()]);
      }
      await store.close();
    },
  };
}

/** Connects, migrates and checks that this replica may share the database (same identifier key). */
async function openSharedDatabase(settings: Settings, logger: Logger, store: AuditStore, labels: GraphStore, book: ExposureBook, fingerprint: string): Promise<SharedDatabase> {
  const connectionString = withDefaultUser(settings.databaseUrl as string);
  // Migrations first, on a connection of their own: a schema change may take longer than any
  // decision may wait, so it gets none of the decision path's timeouts.
  const migrating = new pg.Pool({ connectionString, max: 1, application_name: 'decision-engine:migrate' });
  try {
    const { from, to } = await migrate(migrating);
    if (from !== to) logger.info({ from, to }, 'PostgreSQL schema migrated');
  } finally {
    await migrating.end();
  }
  const pool = new pg.Pool({
    connectionString,
    max: settings.databasePoolSize,
    // A decision waits this long for a free connection, then answers 503 rather than queueing on.
    connectionTimeoutMillis: settings.databaseStatementTimeoutMs,
    // The server's statement_timeout cannot fire where the server is unreachable: a database host
    // gone without a reset (a network partition) would hold a decision for as long as TCP retries.
    // The client gives up a little after the server would have, and keepalive finds a dead peer.
    query_timeout: settings.databaseStatementTimeoutMs + 1000,
    keepAlive: true,
    application_name: 'decision-engine',
  });
  // Two connections: the stream's LISTEN connection and the reads of what it copies.
  const followPool = new pg.Pool({ connectionString, max: 2, query_timeout: settings.databaseStatementTimeoutMs + 1000, keepAlive: true, application_name: 'decision-engine:stream' });
  followPool.on('error', (err) => logger.warn({ err: err.message }, 'an idle PostgreSQL connection of the decision stream failed; the pool replaces it'));
  // An idle connection that fails (the server restarted) is dropped by the pool; the next query opens another.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'an idle PostgreSQL connection failed; the pool replaces it'));
  try {
    await pool.query(`INSERT INTO replica_settings (name, value) VALUES ('identifier_key.fingerprint', $1) ON CONFLICT (name) DO NOTHING`, [fingerprint]);
    const { rows } = await pool.query<{ value: string }>(`SELECT value FROM replica_settings WHERE name = 'identifier_key.fingerprint'`);
    if (rows[0]?.value !== fingerprint) {
      throw new StartupError(
        `the shared database's replicas hash identifiers with the key of fingerprint ${rows[0]?.value}, this one with ${fingerprint}: ` +
          'give every replica the same IDENTIFIER_HASH_KEY (replicas hashing apart would never link each other\'s applicants)',
      );
    }
    const replica = new Replica({
      followPool,
      shared: new PgDecisionCommitter(pool, { statementTimeoutMs: settings.databaseStatementTimeoutMs }),
      changer: new PgDecisionChanger(pool, settings.databaseStatementTimeoutMs),
      labeller: new PgLabelRecorder(pool, settings.databaseStatementTimeoutMs),
      labels,
      store,
      book,
      onError: (err) => logger.error({ err: err.message }, 'decision stream: an error; following carries on'),
    });
    const reclusterLease = new LeaseKeeper(pool, 'recluster', { onError: (err) => logger.warn({ err: err.message }, 'trying the recluster lease failed; tried again') });
    return { pool, followPool, replica, reclusterLease, retention: new PgRetention(pool, settings.databaseStatementTimeoutMs) };
  } catch (err) {
    await Promise.all([pool.end(), followPool.end()]);
    throw err;
  }
}

/**
 * With DATABASE_URL: follows the decisions other replicas commit into the local copy, the
 * velocity index and the fraud graph; resolves once caught up with the shared database.
 */
export async function followReplicas({ logger, metrics }: Root, stores: Stores, fraud: { readonly graph: FraudGraph; readonly remember: (row: DecisionRow, clusterId?: string | null) => void }, outcomes: { observe(outcome: LoanOutcomeRow, first: boolean): void }): Promise<Built<undefined>> {
  const shared = stores.replica;
  let positionGauge: NodeJS.Timeout | undefined;
  if (shared) {
    const started = performance.now();
    let caughtUp = false;
    const { graph } = fraud;
    const adopt = async (generation?: number) => {
      const published = await readClustering(shared.followPool, generation);
      if (published && graph.adopt(resultFrom(published, graph.identity), published.generation, published.at)) {
        logger.info({ generation: published.generation, clusters: published.clusters }, 'adopted the clustering the recluster lease holder published');
      }
      return published;
    };
    await shared.replica.start({
      onReplicated: (row, clusterId, committedAt) => {
        fraud.remember(row, clusterId);
        // Catching up at start is not lag; from then on, each copy is timed against its commit.
        if (caughtUp) metrics.replicaLag.observe(Math.max(0, Date.now() - committedAt));
      },
      onLabelled: (applicationId, label) => void graph.label(applicationId, label),
      onClustered: async (generation) => {
        if (shared.reclusterLease.held) return;
        await adopt(generation);
      },
      // As a request made here: it joins a recluster running, never queues another.
      onReclusterRequested: () => {
        if (shared.reclusterLease.held) void graph.reclusterNow()?.done.catch(() => undefined);
      },
      onLoanOutcome: (outcome, first) => outcomes.observe(outcome, first),
    });
    await adopt();
    // The replica that takes the lease continues the published generations' count, then reclusters.
    await shared.reclusterLease.start({
      onAcquired: () => {
        logger.info('holding the recluster lease: this replica computes and publishes the clusterings');
        void adopt()
          .then((latest) => {
            if (latest) graph.continueFrom(latest.generation);
            return graph.recluster();
          })
          .catch((err: unknown) => logger.error({ err: (err as Error).message }, 'the first recluster after taking the lease failed; the schedule tries again'));
      },
      onLost: (err) => logger.warn({ err: err.message }, 'lost the recluster lease (its connection ended); another replica takes it'),
    });
    caughtUp = true;
    positionGauge = setInterval(() => metrics.replicaPosition.set(shared.replica.position), 1000).unref();
    logger.info({ position: shared.replica.position, copied: shared.replica.stats.replicated, ms: Math.round(performance.now() - started) }, 'caught up with the shared database');
  }
  return { value: undefined, close: () => clearInterval(positionGauge) };
}

// The fraud graph: rebuilt from the store for its window, reclustered in a worker, fed by every
// committed application (decided or imported) at its own time, with the velocity index.
import type { Settings } from '../config/settings';
import { graphWindowStart, type RetentionPolicy } from '../decision/retention';
import { CLUSTERS_TABLE, type ClusterConfig } from '../graph/config';
import { FraudGraph } from '../graph/fraud-graph';
import { WorkerRunner } from '../graph/recluster-runner';
import type { IdentifierType } from '../identity/identifiers';
import type { RuleSetHolder } from '../rules/hot-reload';
import type { DecisionRow } from '../store/audit-store';
import { publishClustering } from '../store/postgres/clusterings';
import { portableOf } from '../graph/published-clustering';
import type { Built, Root } from './built';
import type { Models } from './models';
import type { Stores } from './store';

/** A clustering of a few million applications is tens of MB to write: more than a decision's wait. */
const PUBLISH_TIMEOUT_MS = 120_000;

export interface FraudGraphPart {
  readonly graph: FraudGraph;
  readonly clusterConfig: () => ClusterConfig;
  readonly retentionPolicy: RetentionPolicy;
  /** A committed application, decided or imported, joins the velocity index and the fraud graph at its own time. */
  readonly remember: (row: DecisionRow, clusterId?: string | null) => void;
}

export function retentionPolicyOf(settings: Settings): RetentionPolicy {
  return { decisionDays: settings.decisionRetentionDays, identifierDays: settings.identifierRetentionDays, graphWindowDays: settings.graphWindowDays };
}

export function buildFraudGraph({ settings, logger, clock, overrides }: Root, rules: RuleSetHolder, models: Models, { graphStore, velocity, replica }: Stores): Built<FraudGraphPart> {
  const clusterConfig = () => rules.current.tables.get(CLUSTERS_TABLE) as ClusterConfig;
  const graph = new FraudGraph({
    config: clusterConfig,
    runner: overrides.reclusterRunner ?? new WorkerRunner(models.gangLoad.status === 'ready' ? { dir: settings.modelsDir, cardFile: settings.gangModelCard } : undefined),
    reclusterEvery: settings.graphReclusterEvery,
    reclusterIntervalMs: settings.graphReclusterIntervalMs,
    clock,
    onReclustered: (summary, generation) => {
      logger.info({ generation, ...summary }, 'fraud graph reclustered');
      // On replicas, the lease holder's clustering is every replica's.
      const clustering = graph.clustering;
      if (replica && clustering) {
        publishClustering(replica.pool, portableOf(clustering, graph.identity), PUBLISH_TIMEOUT_MS).catch((err: unknown) =>
          logger.error({ generation, err: (err as Error).message }, 'publishing the clustering to the other replicas failed; the next recluster publishes again'),
        );
      }
    },
    ...(replica ? { reclustersHere: () => replica.reclusterLease.held } : {}),
    onReclusterFailed: (err) => logger.error({ err: err.message }, 'fraud graph recluster failed; the previous clustering stays in force'),
  });
  const retentionPolicy = retentionPolicyOf(settings);
  // Only applications inside the graph's window are held in memory (at start and as they arrive).
  const graphWindowFrom = () => graphWindowStart(retentionPolicy, clock()) ?? Number.MIN_SAFE_INTEGER;
  const started = performance.now();
  for (const a of graphStore.applications(graphWindowFrom())) graph.identity.add(a);
  for (const l of graphStore.currentLabels()) graph.label(l.applicationId, l.label);
  logger.info({ applications: graph.identity.applications, sharedIdentifiers: graph.identity.sharedIdentifiers, ms: Math.round(performance.now() - started) }, 'fraud graph rebuilt');
  if (graph.identity.applications > 0) void graph.recluster().catch(() => undefined);
  graph.start();

  const remember = (row: DecisionRow, clusterId?: string | null) => {
    for (const id of row.identifiers) velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt });
    const { applicationId, decidedAt, outcome, identifiers, fraudEvidence, region, product } = row;
    if (decidedAt < graphWindowFrom()) return;
    graph.add({ applicationId, decidedAt, outcome, fraudEvidence, identifiers, region, product }, clusterId);
  };
  return { value: { graph, clusterConfig, retentionPolicy, remember }, close: () => graph.close() };
}

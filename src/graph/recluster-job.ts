// A whole recluster as the runners perform it: measure every community, let the gang-case model
// (if one is loaded) score them all in one batch, then score their flags. The model runs on its
// own threads (onnxruntime), so this is asynchronous; recluster.ts stays pure and synchronous.
import type { ClusterConfig } from './config';
import { gangFeatureMatrix } from './gang-features';
import type { GraphSnapshot } from './identity-graph';
import { statsOf } from './cluster-stats';
import { allocateResultBuffers, measureCommunities, scoreCommunities, type ReclusterResult, type ResultBuffers } from './recluster';

/** Scores feature rows (GANG_FEATURES, row-major): the loaded model's GangModel.score. */
export interface GangScorer {
  score(rows: Float32Array, count: number): Promise<ArrayLike<number>>;
}

export async function reclusterScored(
  s: GraphSnapshot,
  config: ClusterConfig,
  out: ResultBuffers = allocateResultBuffers(s.applications),
  gang?: GangScorer,
): Promise<ReclusterResult> {
  const measured = measureCommunities(s, config, out);
  if (gang && measured.clusters > 0) {
    const rows = gangFeatureMatrix(measured.clusters, (c) => statsOf(measured.stats, measured.typeStats, c), measured.baseline);
    measured.stats.gangScore.set(await gang.score(rows, measured.clusters));
  }
  return scoreCommunities(measured, config, { gangModel: gang !== undefined });
}

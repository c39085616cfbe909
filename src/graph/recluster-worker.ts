// Worker-thread entry: runs one recluster per message, off the request path. The snapshot's
// columns and the result buffers are SharedArrayBuffers: nothing is copied either way, and only
// the counts and the summary travel back.
//
// NOTE: the thread lowers its own scheduling priority (src/common/thread-priority.ts), so /decide
// latency does not move while Louvain runs.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../common/thread-priority';
import type { ClusterConfig } from './config';
import type { GraphSnapshot } from './identity-graph';
import { GANG_FEATURES } from './gang-features';
import { loadGangModel, type GangModel } from './gang-model';
import type { ReclusterSummary, ResultBuffers } from './recluster';
import { reclusterScored } from './recluster-job';
import type { PortfolioBaseline } from './community-scoring';

export interface ReclusterJob {
  readonly id: number;
  readonly snapshot: GraphSnapshot;
  readonly config: ClusterConfig;
  readonly out: ResultBuffers;
}

/** Where the worker finds the gang-case model (workerData.gangModel); absent = flags only. */
export interface GangModelLocation {
  readonly dir: string;
  readonly cardFile: string;
}

/** Asks the worker to release its model and end: terminating a thread that holds an ONNX session aborts the whole process. */
export interface ReclusterStop {
  readonly stop: true;
}

export type ReclusterReply =
  | { readonly id: number; readonly clusters: number; readonly baseline: PortfolioBaseline; readonly summary: ReclusterSummary }
  | { readonly id: number; readonly error: string };

/**
 * The model, loaded and checked once per worker, holding an ONNX session only while it scores; a
 * model that fails its checks leaves the flags to score (the main thread reports why).
 */
let model: Promise<GangModel | undefined> | undefined;
function gangModel(): Promise<GangModel | undefined> {
  const where = (workerData as { gangModel?: GangModelLocation } | undefined)?.gangModel;
  model ??= where ? loadGangModel(where.dir, where.cardFile, GANG_FEATURES, { sessionPerScoring: true }).then((l) => (l.status === 'ready' ? l.model : undefined)) : Promise.resolve(undefined);
  return model;
}

if (parentPort) {
  const port = parentPort;
  lowerThreadPriority();
  // NOTE: jobs arrive one at a time (the runner waits for each reply), so the async steps never interleave.
  // The job in progress: a stop waits for it, so a run already started always delivers its result.
  let inFlight: Promise<void> = Promise.resolve();
  const run = async (job: ReclusterJob) => {
    try {
      const result = await reclusterScored(job.snapshot, job.config, job.out, await gangModel());
      port.postMessage({ id: job.id, clusters: result.clusters, baseline: result.baseline, summary: result.summary } satisfies ReclusterReply);
    } catch (err) {
      port.postMessage({ id: job.id, error: (err as Error).stack ?? String(err) } satisfies ReclusterReply);
    }
  };
  port.on('message', async (job: ReclusterJob | ReclusterStop) => {
    if ('stop' in job) {
      // Release the session after the job in progress, then let the thread's event loop empty and
      // the worker exit by itself.
      await inFlight;
      await (await gangModel().catch(() => undefined))?.close();
      port.close();
      return;
    }
    inFlight = run(job);
  });
}

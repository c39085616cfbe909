// Worker-thread entry: runs one recluster per message, off the request path. The snapshot's
// columns and the result buffers are SharedArrayBuffers: nothing is copied either way, and only
// the counts and the summary travel back.
//
// NOTE: the thread lowers its own scheduling priority (nice 19) where the OS allows it, so on a
// busy machine the request thread keeps the CPU and /decide latency does not move while Louvain
// runs. Linux applies setpriority to a single thread when given its thread id.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { ClusterConfig } from './config';
import type { GraphSnapshot } from './identity-graph';
import { recluster, type ReclusterSummary, type ResultBuffers } from './recluster';
import type { PortfolioBaseline } from './scoring';

export interface ReclusterJob {
  readonly id: number;
  readonly snapshot: GraphSnapshot;
  readonly config: ClusterConfig;
  readonly out: ResultBuffers;
}

export type ReclusterReply =
  | { readonly id: number; readonly clusters: number; readonly baseline: PortfolioBaseline; readonly summary: ReclusterSummary }
  | { readonly id: number; readonly error: string };

function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, 19);
  } catch {
    /* not Linux, or not permitted: run at normal priority */
  }
}

if (parentPort) {
  const port = parentPort;
  lowerPriority();
  port.on('message', (job: ReclusterJob) => {
    try {
      const result = recluster(job.snapshot, job.config, job.out);
      port.postMessage({ id: job.id, clusters: result.clusters, baseline: result.baseline, summary: result.summary } satisfies ReclusterReply);
    } catch (err) {
      port.postMessage({ id: job.id, error: (err as Error).stack ?? String(err) } satisfies ReclusterReply);
    }
  });
}

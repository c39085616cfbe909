// Where a recluster runs: in a worker thread (the service), or inline (tests of the pure parts).
// One job at a time; a crashed worker fails its job and is replaced on the next one.
import { Worker } from 'node:worker_threads';
import type { ClusterConfig } from './config';
import type { GraphSnapshot } from './identity-graph';
import { allocateResultBuffers, resultIn, type ReclusterResult, type ResultBuffers } from './recluster';
import { reclusterScored, type GangScorer } from './recluster-job';
import type { GangModelLocation, ReclusterJob, ReclusterReply } from './recluster-worker';

export interface ReclusterRunner {
  /** Reclusters the snapshot into `out` (the result's arrays are views of it). */
  run(snapshot: GraphSnapshot, config: ClusterConfig, out?: ResultBuffers): Promise<ReclusterResult>;
  /** Result buffers this runner can write into (shared memory for a worker). */
  allocate(capacity: number): ResultBuffers;
  close(): Promise<void>;
}

/** Runs on the calling thread (tests, tools); with a gang scorer, the model scores the communities. */
export function inlineRunner(gang?: GangScorer): ReclusterRunner {
  return {
    run: (snapshot, config, out) => reclusterScored(snapshot, config, out, gang),
    allocate: (capacity) => allocateResultBuffers(capacity),
    close: async () => undefined,
  };
}

/**
 * NOTE: under tsx (npm start) and vitest the worker's entry is a .ts file, which a bare worker
 * thread cannot load, and on Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's
 * loader. The thread starts in ts-worker-boot.mjs, which loads the entry through tsx's API.
 * A compiled build (.js) starts the entry directly.
 */
function spawnWorker(gangModel: GangModelLocation | undefined): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./recluster-worker.js', import.meta.url), { workerData: { gangModel } });
  const entry = new URL('./recluster-worker.ts', import.meta.url).href;
  return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), { workerData: { entry, gangModel } });
}

interface Pending {
  readonly applications: number;
  readonly out: ResultBuffers;
  readonly resolve: (r: ReclusterResult) => void;
  readonly reject: (e: Error) => void;
}

export class WorkerRunner implements ReclusterRunner {
  /** @param gangModel where the worker loads the gang-case model from; undefined = hand-written flags only. */
  constructor(private readonly gangModel?: GangModelLocation) {}

  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private spawn(): Worker {
    const worker = spawnWorker(this.gangModel);
    worker.unref();
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('message', (reply: ReclusterReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(`recluster failed in the worker: ${reply.error}`));
      else p.resolve(resultIn(p.out, p.applications, reply.clusters, reply.baseline, reply.summary));
    });
    worker.on('error', (err) => failAll(err));
    worker.on('exit', (code) => failAll(new Error(`recluster worker exited with code ${code}`)));
    return worker;
  }

  allocate(capacity: number): ResultBuffers {
    return allocateResultBuffers(capacity, true);
  }

  run(snapshot: GraphSnapshot, config: ClusterConfig, out: ResultBuffers = this.allocate(snapshot.applications)): Promise<ReclusterResult> {
    this.worker ??= this.spawn();
    const id = this.nextId++;
    const job: ReclusterJob = { id, snapshot, config, out };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { applications: snapshot.applications, out, resolve, reject });
      this.worker?.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

// Where a recluster runs: in a worker thread (the service), or inline (tests of the pure parts).
// One job at a time; a crashed worker fails its job and is replaced on the next one.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ClusterConfig } from './config';
import type { GraphSnapshot } from './identity-graph';
import { allocateResultBuffers, resultIn, type ReclusterResult, type ResultBuffers } from './recluster';
import { reclusterScored, type GangScorer } from './recluster-job';
import type { GangModelLocation, ReclusterJob, ReclusterReply, ReclusterStop } from './recluster-worker';

export interface ReclusterRunner {
  /** Reclusters the snapshot into `out` (the result's arrays are views of it). */
  run(snapshot: GraphSnapshot, config: ClusterConfig, out?: ResultBuffers): Promise<ReclusterResult>;
  /** Result buffers this runner can write into (shared memory for a worker). */
  allocate(capacity: number): ResultBuffers;
  /** Ends the runner; a worker says how it ended (for tests of a clean shutdown). */
  close(): Promise<unknown>;
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
 * NOTE: two ways to run. Compiled (`npm run build`: npm start, the image), this module is bundled
 * into a dist/*.js file that sits next to dist/recluster-worker.js (scripts/build.mjs writes one
 * flat folder), and the thread starts there with plain node. From TypeScript source (tsx, vitest)
 * the entry is a .ts file, which a bare worker thread cannot load, and `execArgv: ['--import',
 * 'tsx']` does not reach a worker's loader on every Node version either: the thread starts in
 * ts-worker-boot.mjs, which loads the entry through tsx's API.
 */
const fromSource = new URL(import.meta.url).pathname.endsWith('.ts');

function spawnWorker(gangModel: GangModelLocation | undefined): Worker {
  if (!fromSource) return new Worker(new URL('./recluster-worker.js', import.meta.url), { workerData: { gangModel } });
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
  private readonly running = new Set<Promise<ReclusterResult>>();

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
    const result = new Promise<ReclusterResult>((resolve, reject) => {
      this.pending.set(id, { applications: snapshot.applications, out, resolve, reject });
      this.worker?.postMessage(job);
    });
    this.running.add(result);
    const forget = () => void this.running.delete(result);
    result.then(forget, forget);
    return result;
  }

  /**
   * Ends the worker after its current job: the worker releases its ONNX session and exits by
   * itself. `worker.terminate()` while a session is alive aborts the process from native code
   * (a SIGABRT in the middle of a graceful shutdown), so it is only the last resort, after `graceMs`;
   * and the worker opens a session only while it scores (loadGangModel's sessionPerScoring), so a
   * job still running then (the worker runs at nice 19 and a busy machine starves it) is almost
   * surely outside that window.
   */
  async close(graceMs = 5_000): Promise<'idle' | 'released' | 'terminated'> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return 'idle';
    // Referenced again so the process stays up until the worker has released its session.
    worker.ref();
    const exited = new Promise<'released'>((resolve) => worker.once('exit', () => resolve('released')));
    const timeout = () => sleep(graceMs, 'timeout' as const, { ref: false });
    await Promise.race([Promise.allSettled(this.running), timeout()]);
    worker.postMessage({ stop: true } satisfies ReclusterStop);
    if ((await Promise.race([exited, timeout()])) === 'released') return 'released';
    await worker.terminate();
    return 'terminated';
  }

}

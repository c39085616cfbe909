// A backtest of a period split between threads: each backtests a disjoint share of the stored
// decisions (src/decision/backtest-worker.ts) and the tallies are merged into one report. The
// threads read the store from connections of their own that never write, so a backtest runs
// beside a serving service; there they lower their priority, so /decide keeps the CPU.
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../rules/diagnostics';
import { mergeTallies, reportOf, type BacktestCandidate, type BacktestReport, type BacktestTally } from './backtest';
import type { BacktestJob, BacktestShare, BacktestShareMessage } from './backtest-worker';

export type { BacktestJob };

export interface BacktestRunOptions {
  /** Threads to split the history between (the command line uses every core; the service fewer). */
  readonly threads: number;
  /** Run the threads at the lowest priority (inside the service, beside /decide). */
  readonly lowPriority: boolean;
  readonly sampleSize?: number;
  /** Decisions backtested so far, and how many the period holds once every thread has counted its share. */
  readonly onProgress?: (done: number, total: number | undefined) => void;
  readonly signal?: AbortSignal;
}

export interface BacktestResult {
  readonly report: BacktestReport;
  /** Some of the decisions that change, to look at. */
  readonly changedSample: readonly string[];
  readonly seconds: number;
  readonly threads: number;
}

/** The candidate does not compile: the diagnostics rules:check prints. */
export class CandidateRulesInvalid extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(`the candidate rules have ${diagnostics.length} error(s)`);
  }
}

/** Starts a backtest thread (compiled build: dist/backtest-worker.js beside this bundle; from source through tsx). */
function spawnShare(share: BacktestShare): Worker {
  const workerData = { role: 'backtest', share };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./backtest-worker.js', import.meta.url), { workerData });
  return new Worker(new URL('../graph/ts-worker-boot.mjs', import.meta.url), { workerData: { ...workerData, entry: new URL('./backtest-worker.ts', import.meta.url).href } });
}

export async function runBacktest(job: BacktestJob, options: BacktestRunOptions): Promise<BacktestResult> {
  const threads = Math.max(1, Math.floor(options.threads));
  const started = performance.now();
  const done = new Array<number>(threads).fill(0);
  const totals = new Array<number | undefined>(threads).fill(undefined);
  const workers: Worker[] = [];
  const progress = () => {
    const total = totals.every((t) => t !== undefined) ? totals.reduce((a: number, b) => a + (b ?? 0), 0) : undefined;
    options.onProgress?.(
      done.reduce((a, b) => a + b, 0),
      total,
    );
  };
  const shares = Array.from({ length: threads }, (_, index) =>
    new Promise<{ tally: BacktestTally; candidate: BacktestCandidate }>((resolve, reject) => {
      const worker = spawnShare({ ...job, keys: job.keys.map((k) => new Uint8Array(k)), partition: { index, of: threads }, lowPriority: options.lowPriority, sampleSize: options.sampleSize ?? 20 });
      workers.push(worker);
      let settled = false;
      worker.on('message', (m: BacktestShareMessage) => {
        if (m.kind === 'total') {
          totals[index] = m.decisions;
          progress();
        } else if (m.kind === 'progress') {
          done[index] = m.done;
          progress();
        } else if (m.kind === 'done') {
          settled = true;
          resolve({ tally: m.tally, candidate: m.candidate });
        } else {
          settled = true;
          reject(m.kind === 'invalid' ? new CandidateRulesInvalid(m.diagnostics) : new Error(`backtest thread ${index}: ${m.message}`));
        }
      });
      worker.on('error', (err) => {
        settled = true;
        reject(err);
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(options.signal?.aborted ? 'backtest cancelled' : `backtest thread ${index} ended (exit ${code}) before its share was done`));
      });
    }),
  );
  const cancel = () => void Promise.all(workers.map((w) => w.terminate()));
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const results = await Promise.all(shares);
    const tally = mergeTallies(results.map((r) => r.tally), options.sampleSize ?? 20);
    const candidate = results[0]?.candidate as BacktestCandidate;
    return { report: reportOf(tally, candidate), changedSample: tally.changedSample, seconds: (performance.now() - started) / 1000, threads };
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    // A share that failed leaves the others running: stop them (terminating is safe, they hold no native session).
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

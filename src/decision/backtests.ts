// Backtests asked for over HTTP: a candidate (a base rule set, the serving one or an archived
// version, with some files changed, added or removed) checked at once, then backtested in threads
// at the lowest priority beside the serving service, one at a time, a few queued. The request
// and the report are kept in the store, so a report outlives a restart; a backtest the restart
// interrupted is marked failed, never shown as running forever.
import { randomUUID } from 'node:crypto';
import type { CompileResult, RuleFileText } from '../rules/compile';
import type { Diagnostic } from '../rules/diagnostics';
import type { RuleSet } from '../rules/ruleset';
import type { AuditStore, BacktestRow } from '../store/audit-store';
import { periodOf, type HistoryFilter } from '../store/history-reader';
import type { BacktestReport } from './backtest';
import { CandidateRulesInvalid, type BacktestJob, type BacktestResult, type BacktestRunOptions } from './backtest-run';

/** What an analyst asks for (validated by the HTTP layer's schema). */
export interface BacktestRequest {
  /** The rule set the candidate starts from: "serving", or an archived version. */
  readonly base: string;
  /** Files of the base replaced or added, by path under the rules folder. */
  readonly changes: readonly { readonly path: string; readonly text: string }[];
  /** Files of the base left out. */
  readonly removals: readonly string[];
  readonly filter: HistoryFilter;
}

export type BacktestStatus = BacktestRow['status'];

/** A backtest as GET /backtests/:id shows it. */
export interface BacktestView {
  readonly backtestId: string;
  readonly status: BacktestStatus;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly finishedAt: string | null;
  readonly base: string;
  readonly candidate: string;
  readonly changedFiles: readonly string[];
  readonly removedFiles: readonly string[];
  readonly filter: { readonly from: string | null; readonly to: string | null; readonly product: string | null; readonly region: string | null };
  /** Decisions backtested so far, and how many the period holds (null until counted). */
  readonly progress: { readonly done: number; readonly total: number | null };
  readonly report: BacktestReport | null;
  readonly changedSample: readonly string[];
  readonly seconds: number | null;
  readonly error: string | null;
}

/** The stored request: what was asked, the candidate's version, never the file texts twice. */
interface StoredRequest {
  readonly base: string;
  readonly candidate: string;
  readonly changedFiles: readonly string[];
  readonly removedFiles: readonly string[];
  readonly filter: HistoryFilter;
}

export class BaseRuleSetNotFound extends Error {
  constructor(readonly version: string) {
    super(`no rule set ${version} in the archive`);
  }
}

export class TooManyBacktests extends Error {
  constructor(readonly retryAfterS: number) {
    super('a backtest is running and the queue is full; try again when one has finished');
  }
}

export class BacktestStateError extends Error {}

/** A request that names a file the base does not hold (to remove), or the same file twice. */
export class BacktestRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface BacktestsDeps {
  readonly store: AuditStore;
  readonly storeFile: string;
  readonly current: () => RuleSet;
  readonly archivedFiles: (version: string) => readonly { readonly path: string; readonly text: string }[] | undefined;
  /** Compiles as the service does (diagnostics name the candidate's files). */
  readonly compile: (files: readonly RuleFileText[]) => CompileResult;
  /** What the backtest threads need besides the candidate: key chain, phone country code, model card. */
  readonly job: Omit<BacktestJob, 'storeFile' | 'files' | 'filter'>;
  readonly threads: number;
  readonly run: (job: BacktestJob, options: BacktestRunOptions) => Promise<BacktestResult>;
  readonly clock: () => number;
  /** Backtests waiting behind the running one, at most. */
  readonly maxQueued?: number;
  readonly onFinished?: (status: BacktestStatus, seconds: number) => void;
}

interface Live {
  row: BacktestRow;
  readonly request: StoredRequest;
  readonly files: readonly RuleFileText[];
  readonly abort: AbortController;
  done: number;
  total: number | undefined;
  /** Settles when a running backtest has finished and its end is stored. */
  settled?: Promise<void>;
}


export class Backtests {
  private readonly live = new Map<string, Live>();
  private readonly queue: Live[] = [];
  private running: Live | undefined;
  private closed = false;

  constructor(private readonly deps: BacktestsDeps) {}

  /** At start: what a stopped process left queued or running is marked failed. */
  async recover(): Promise<number> {
    const { store, clock } = this.deps;
    return store.commit(() => store.interruptBacktests(clock(), 'interrupted: the service stopped before it finished; ask again'));
  }

  /**
   * Checks the candidate (throws CandidateRulesInvalid with rules:check's diagnostics, or
   * BaseRuleSetNotFound), records the request and queues it; the view says where it stands.
   */
  async start(request: BacktestRequest, requestedBy: string): Promise<BacktestView> {
    if (this.closed) throw new BacktestStateError('the service is shutting down');
    if (this.queue.length >= (this.deps.maxQueued ?? 3)) throw new TooManyBacktests(30);
    const files = this.candidateFiles(request);
    const compiled = this.deps.compile(files);
    if (!compiled.ok) throw new CandidateRulesInvalid(compiled.diagnostics);
    const stored: StoredRequest = {
      base: request.base === 'serving' ? this.deps.current().version : request.base,
      candidate: compiled.ruleSet.version,
      changedFiles: request.changes.map((c) => c.path),
      removedFiles: [...request.removals],
      filter: request.filter,
    };
    const row: BacktestRow = { backtestId: randomUUID(), requestedBy, requestedAt: this.deps.clock(), request: JSON.stringify(stored), status: 'queued', finishedAt: null, result: null, error: null };
    await this.deps.store.commit(() => this.deps.store.saveBacktest(row));
    const live: Live = { row, request: stored, files, abort: new AbortController(), done: 0, total: undefined };
    this.live.set(row.backtestId, live);
    this.queue.push(live);
    this.next();
    return this.viewOf(row.backtestId) as BacktestView;
  }

  /** Where a backtest stands: live progress while it runs, the stored report once finished. */
  viewOf(backtestId: string): BacktestView | undefined {
    const live = this.live.get(backtestId);
    if (live) return view(live.row, live.request, { done: live.done, total: live.total ?? null });
    const row = this.deps.store.backtest(backtestId);
    return row && view(row, JSON.parse(row.request) as StoredRequest, undefined);
  }

  /** The latest backtests, newest first (without their reports). */
  recent(limit: number): Omit<BacktestView, 'report' | 'changedSample'>[] {
    return this.deps.store.recentBacktests(limit).map((row) => {
      const { report: _report, changedSample: _sample, ...rest } = this.viewOf(row.backtestId) ?? view(row, JSON.parse(row.request) as StoredRequest, undefined);
      return rest;
    });
  }

  /** Stops a queued or running backtest; one already finished cannot be cancelled. */
  async cancel(backtestId: string, by: string): Promise<BacktestView | undefined> {
    const live = this.live.get(backtestId);
    if (!live) {
      const row = this.deps.store.backtest(backtestId);
      if (!row) return undefined;
      throw new BacktestStateError(`backtest ${backtestId} is ${row.status}; only a queued or running one can be cancelled`);
    }
    const queued = this.queue.indexOf(live);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      await this.finish(live, { status: 'cancelled', error: `cancelled by ${by}` });
    } else {
      live.abort.abort(by);
      await live.settled;
    }
    return this.viewOf(backtestId);
  }

  /** Stops what runs (it is marked failed, to ask again) and refuses new requests. */
  async close(): Promise<void> {
    this.closed = true;
    for (const live of this.queue.splice(0)) await this.finish(live, { status: 'failed', error: 'interrupted: the service stopped before it started; ask again' });
    if (this.running) {
      this.running.abort.abort('shutdown');
      await this.running.settled;
    }
  }

  private candidateFiles(request: BacktestRequest): RuleFileText[] {
    const base = request.base === 'serving' ? this.deps.current().archive : this.deps.archivedFiles(request.base);
    if (!base) throw new BaseRuleSetNotFound(request.base);
    const label = request.base === 'serving' ? 'serving' : request.base.slice(0, 12);
    const files = new Map(base.map((f) => [f.path, f.text]));
    request.removals.forEach((path, i) => {
      if (!files.delete(path)) throw new BacktestRequestError(`removals[${i}]`, `the base rule set has no file ${path}`);
    });
    const seen = new Set<string>();
    request.changes.forEach((c, i) => {
      if (seen.has(c.path) || request.removals.includes(c.path)) throw new BacktestRequestError(`changes[${i}].path`, `${c.path} is named twice`);
      seen.add(c.path);
      files.set(c.path, c.text);
    });
    const changed = new Set(request.changes.map((c) => c.path));
    return [...files]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([relPath, text]) => ({ relPath, text, displayPath: changed.has(relPath) ? `candidate/${relPath}` : `${label}/${relPath}` }));
  }

  private next(): void {
    if (this.running || this.closed) return;
    const live = this.queue.shift();
    if (!live) return;
    this.running = live;
    let settle!: () => void;
    live.settled = new Promise<void>((r) => (settle = r));
    void this.runOne(live).finally(() => {
      this.running = undefined;
      settle();
      this.next();
    });
  }

  private async runOne(live: Live): Promise<void> {
    const { store, storeFile, job, threads, run } = this.deps;
    const running: BacktestRow = { ...live.row, status: 'running' };
    await store.commit(() => store.saveBacktest(running));
    live.row = running;
    try {
      const result = await run(
        { ...job, storeFile, files: live.files, filter: live.request.filter },
        {
          threads,
          lowPriority: true,
          signal: live.abort.signal,
          onProgress: (done, total) => {
            live.done = done;
            live.total = total;
          },
        },
      );
      await this.finish(live, { status: 'done', result: JSON.stringify({ report: result.report, changedSample: result.changedSample, seconds: result.seconds, threads: result.threads, decisions: result.report.decisions }) });
    } catch (err) {
      const reason = live.abort.signal.reason as string | undefined;
      if (live.abort.signal.aborted) {
        await this.finish(live, reason === 'shutdown' ? { status: 'failed', error: 'interrupted: the service stopped before it finished; ask again' } : { status: 'cancelled', error: `cancelled by ${reason}` });
      } else {
        const diagnostics = err instanceof CandidateRulesInvalid ? `: ${err.diagnostics.map((d: Diagnostic) => d.message).join('; ')}` : '';
        await this.finish(live, { status: 'failed', error: `${(err as Error).message}${diagnostics}` });
      }
    }
  }

  private async finish(live: Live, end: { status: BacktestStatus; result?: string; error?: string }): Promise<void> {
    const { store, clock } = this.deps;
    const row: BacktestRow = { ...live.row, status: end.status, finishedAt: clock(), result: end.result ?? null, error: end.error ?? null };
    try {
      await store.commit(() => store.saveBacktest(row));
    } finally {
      this.live.delete(live.row.backtestId);
      this.deps.onFinished?.(end.status, (row.finishedAt as number) - row.requestedAt);
    }
  }
}

function view(row: BacktestRow, request: StoredRequest, progress: { done: number; total: number | null } | undefined): BacktestView {
  const result = row.result ? (JSON.parse(row.result) as { report: BacktestReport; changedSample: string[]; seconds: number; decisions: number }) : undefined;
  return {
    backtestId: row.backtestId,
    status: row.status,
    requestedBy: row.requestedBy,
    requestedAt: new Date(row.requestedAt).toISOString(),
    finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
    base: request.base,
    candidate: request.candidate,
    changedFiles: request.changedFiles,
    removedFiles: request.removedFiles,
    filter: { ...periodOf(request.filter), product: request.filter.product ?? null, region: request.filter.region ?? null },
    progress: progress ?? { done: result?.decisions ?? 0, total: result?.decisions ?? null },
    report: result?.report ?? null,
    changedSample: result?.changedSample ?? [],
    seconds: result?.seconds ?? null,
    error: row.error,
  };
}

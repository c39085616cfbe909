// Worker-thread entry: backtests one share of the stored history (src/decision/backtest-run.ts
// splits a period between threads). It compiles the candidate itself (a compiled rule set cannot
// cross threads), reads its share from a connection of its own that never writes, and sends back
// only counts: its progress, then its tally.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../common/thread-priority';
import { IdentifierProtector } from '../identity/identifiers';
import { compileRuleSet, type RuleFileText } from '../rules/compile';
import type { Diagnostic } from '../rules/diagnostics';
import type { ModelCard } from '../scoring/model-card';
import { HistoryReader, PURGED, type HistoryFilter, type HistoryPartition } from '../store/history-reader';
import { applicationSchemaFor } from './application';
import { Backtest, candidateOf, knownOutcomeOf, type BacktestCandidate, type BacktestTally } from './backtest';
import { isDecisionRecord, protectedIdentifiersOf } from './record';

/** A backtest: the candidate's files, the store and the period (split into shares by src/decision/backtest-run.ts). */
export interface BacktestJob {
  readonly storeFile: string;
  /** The candidate rule set's files (a folder read by the caller, or an archived version). */
  readonly files: readonly RuleFileText[];
  readonly keys: readonly Buffer[];
  readonly defaultCountryCode: string;
  readonly card: ModelCard | undefined;
  readonly filter: HistoryFilter;
}

/** One thread's share of a backtest: the job, with its keys as bytes (a Buffer arrives as a plain Uint8Array). */
export interface BacktestShare extends Omit<BacktestJob, 'keys'> {
  /** The store's identifier key chain, oldest first: the candidate's lists hash as the service's do. */
  readonly keys: readonly Uint8Array[];
  readonly partition: HistoryPartition;
  readonly lowPriority: boolean;
  readonly sampleSize: number;
}

export type BacktestShareMessage =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'total'; readonly decisions: number }
  | { readonly kind: 'progress'; readonly done: number }
  | { readonly kind: 'done'; readonly tally: BacktestTally; readonly candidate: BacktestCandidate }
  | { readonly kind: 'failed'; readonly message: string };

const PAGE = 1_000;
/** Progress is reported this often (in decisions): often enough to watch, rarely enough to cost nothing. */
const PROGRESS_EVERY = 2_000;

async function backtestShare(share: BacktestShare, post: (m: BacktestShareMessage) => void): Promise<void> {
  if (share.lowPriority) lowerThreadPriority();
  const protector = new IdentifierProtector(share.keys.map((k) => Buffer.from(k)), { defaultCountryCode: share.defaultCountryCode });
  const compiled = compileRuleSet([...share.files], { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema: applicationSchemaFor(share.card) });
  if (!compiled.ok) return post({ kind: 'invalid', diagnostics: compiled.diagnostics });
  const reader = new HistoryReader(share.storeFile);
  try {
    post({ kind: 'total', decisions: reader.count(share.filter, share.partition) });
    const backtest = new Backtest(compiled.ruleSet, share.sampleSize);
    let done = 0;
    let after: Parameters<HistoryReader['page']>[2];
    do {
      const page = reader.page(share.filter, share.partition, after, PAGE);
      for (const d of page.decisions) {
        if (isDecisionRecord(d.document)) await backtest.add(d.document, protectedIdentifiersOf(d.document, d.identifierHashes, PURGED), knownOutcomeOf(d.loanStatus));
        else backtest.skipped();
        if (++done % PROGRESS_EVERY === 0) post({ kind: 'progress', done });
      }
      after = page.next;
    } while (after);
    post({ kind: 'progress', done });
    post({ kind: 'done', tally: backtest.tally(), candidate: candidateOf(compiled.ruleSet) });
  } finally {
    reader.close();
  }
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'backtest') {
  const port = parentPort;
  const post = (m: BacktestShareMessage) => port.postMessage(m);
  backtestShare((workerData as { share: BacktestShare }).share, post).catch((err: unknown) => post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }));
}

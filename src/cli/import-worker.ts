// npm run import's second thread: parses, checks and prepares history lines (JSON, schema,
// identifier hashing and masking, the stored document) while the main thread writes the previous
// batch to SQLite. NOTE: on this 2-core machine the two halves cost about the same; overlapping
// them nearly halves a million-line import.
import { parentPort, workerData } from 'node:worker_threads';
import { checkHistoryLine, prepareHistoryRecord, type ImportedApplication } from '../decision/history';
import { compileChecker } from '../http/validation';
import { IdentifierProtector } from '../identity/identifiers';

export interface ImportWorkerData {
  /** The identifier key chain, oldest first (one key unless the store was rekeyed). */
  readonly keys: readonly Uint8Array[];
  readonly defaultCountryCode: string;
  readonly schema: object;
  readonly products: readonly string[];
  readonly regions: { readonly known: readonly string[]; readonly acceptUnknown: boolean };
  readonly fraudEvidence: readonly string[];
  readonly source: string;
  readonly importedAt: number;
  readonly now: number;
}

export interface ImportBatch {
  readonly id: number;
  readonly lines: readonly { readonly number: number; readonly text: string }[];
}

export type ImportBatchReply = { readonly id: number; readonly prepared: ImportedApplication[] } | { readonly id: number; readonly error: string };

if (parentPort) {
  const port = parentPort;
  const data = workerData as ImportWorkerData & { entry?: string };
  const protector = new IdentifierProtector(data.keys.map((k) => Buffer.from(k)), { defaultCountryCode: data.defaultCountryCode });
  const products = new Set(data.products);
  const context = { validate: compileChecker(data.schema), products: () => products, regions: () => data.regions, protector, clock: () => data.now };
  const deps = { protector, fraudEvidence: new Set(data.fraudEvidence) };
  port.on('message', (batch: ImportBatch) => {
    const prepared: ImportedApplication[] = [];
    for (const { number, text } of batch.lines) {
      const checked = checkHistoryLine(JSON.parse(text), context);
      if ('problems' in checked) {
        port.postMessage({ id: batch.id, error: `line ${number} changed while importing: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` } satisfies ImportBatchReply);
        return;
      }
      prepared.push(prepareHistoryRecord(checked.record, deps, data.source, data.importedAt));
    }
    port.postMessage({ id: batch.id, prepared } satisfies ImportBatchReply);
  });
}

// Worker bootstrap for runs from TypeScript source (tsx, vitest; the compiled build starts its
// workers from dist/*.js instead): a worker thread does not inherit tsx's loader, so this loads the
// real entry (workerData.entry) through tsx's API.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);

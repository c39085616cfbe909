// Past applications loaded with their own time: a /decide body plus when it was submitted, the
// outcome it got and an investigator's label, if known. They go into the audit store (as
// imported history, never decided anew and never reserving exposure), then the identity graph
// and the velocity index at their original submission time, so a bank going live has a useful
// fraud graph on day one. Used by `npm run import` (a file, whole or resumed) and POST /history.
import { canonicalJson } from '../identity/canonical-json';
import type { IdentifierProtector } from '../identity/identifiers';
import { fraudEvidenceReasons } from '../rules/evidence';
import { REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import type { Outcome, RuleSet } from '../rules/ruleset';
import type { AuditStore, DecisionRow } from '../store/audit-store';
import type { ApplicationLabel, GraphStore } from '../store/graph-store';
import type { Application } from './application';
import { newDecisionId } from './ids';
import { HistoryConflictError, type SharedHistory } from '../store/history-import';

export const HISTORY_OUTCOMES = ['approve', 'review', 'decline'] as const;
export const HISTORY_LABELS = ['fraud', 'legit'] as const;
/** How far ahead of the importer's clock a submission time may be (clock skew between systems). */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** One history line as sent: the application, plus its past. */
export interface HistoryLine extends Application {
  readonly submittedAt: string;
  readonly outcome?: Outcome;
  /** Reason codes of the original decision (fraud-stage codes count as fraud evidence). */
  readonly reasons?: readonly string[];
  readonly label?: ApplicationLabel;
}

/** JSON Schema of a history line: the /decide body's, plus the history fields. */
export function buildHistoryLineSchema(applicationSchema: { readonly required: readonly string[]; readonly properties: object }) {
  return {
    ...applicationSchema,
    required: [...applicationSchema.required, 'submittedAt'],
    properties: {
      ...applicationSchema.properties,
      submittedAt: { type: 'string', maxLength: 40, description: 'When the application was submitted (ISO 8601 with a time zone).' },
      outcome: { enum: [...HISTORY_OUTCOMES], description: 'The decision it got then.' },
      reasons: { type: 'array', maxItems: 64, items: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' }, description: 'Reason codes of that decision.' },
      label: { enum: [...HISTORY_LABELS], description: "An investigator's conclusion: fraud or legit." },
    },
  } as const;
}

export interface HistoryProblem {
  /** The field at fault (dotted path), or "(line)". */
  readonly path: string;
  readonly message: string;
}

/** A line that validated. Its fingerprint (a keyed hash of the canonical line) is computed when first needed. */
export class HistoryRecord {
  private cached: string | undefined;

  constructor(
    readonly line: HistoryLine,
    readonly submittedAt: number,
    private readonly protector: IdentifierProtector,
  ) {}

  /** Tells a re-import of the same line from a conflicting reuse of its applicationId. */
  get fingerprint(): string {
    return (this.cached ??= `history:${this.protector.fingerprint(canonicalJson(this.line))}`);
  }
}

export interface HistoryContext {
  /** Schema validation of a parsed line: its problems, or none. */
  readonly validate: (value: unknown) => readonly HistoryProblem[];
  /** Products with a rule flow now. */
  readonly products: () => ReadonlySet<string>;
  /** Configured regions, and whether others are accepted (rules/limits/regions.json). */
  readonly regions: () => { readonly known: readonly string[]; readonly acceptUnknown: boolean };
  readonly protector: IdentifierProtector;
  readonly clock: () => number;
}

/**
 * Checks one parsed line: schema, a known product, a submission time that parses and is not in
 * the future. Returns the record, or the problems (all of them).
 */
export function checkHistoryLine(value: unknown, context: HistoryContext): { record: HistoryRecord } | { problems: readonly HistoryProblem[] } {
  const problems = [...context.validate(value)];
  if (problems.length > 0) return { problems };
  const line = value as HistoryLine;
  const products = context.products();
  if (!products.has(line.product)) problems.push({ path: 'product', message: `no rule flow for "${line.product}"; expected one of: ${[...products].join(', ')}` });
  const regions = context.regions();
  if (!regions.acceptUnknown && !regions.known.includes(line.region)) problems.push({ path: 'region', message: `unknown region "${line.region}"; configured regions: ${regions.known.join(', ')}` });
  const submittedAt = ISO_8601.test(line.submittedAt) ? Date.parse(line.submittedAt) : Number.NaN;
  if (Number.isNaN(submittedAt)) problems.push({ path: 'submittedAt', message: `"${line.submittedAt}" is not an ISO 8601 date-time with a time zone (e.g. 2026-03-01T09:30:00Z)` });
  else if (submittedAt > context.clock() + FUTURE_SKEW_MS) problems.push({ path: 'submittedAt', message: `${line.submittedAt} is in the future` });
  if (problems.length > 0) return { problems };
  return { record: new HistoryRecord(line, submittedAt, context.protector) };
}

/** What a committed history line became. */
export interface ImportedApplication {
  readonly row: DecisionRow;
  readonly label?: ApplicationLabel;
}

export type HistoryWrite = { readonly kind: 'imported'; readonly imported: ImportedApplication } | { readonly kind: 'present' };

/** The history check's view of rules/limits/regions.json. */
export function regionsOf(ruleSet: RuleSet): { known: string[]; acceptUnknown: boolean } {
  const table = ruleSet.tables.get(REGIONS_TABLE) as RegionsTable;
  return { known: Object.keys(table.regions), acceptUnknown: table.acceptUnknownRegions === true };
}

export class DuplicateApplicationError extends Error {
  constructor(readonly applicationId: string) {
    super(`applicationId "${applicationId}" is already recorded with a different body`);
  }
}

/** A history record made ready to store: everything but the writes (hashing, masking, the serialised document). Pure CPU. */
export function prepareHistoryRecord(
  record: HistoryRecord,
  deps: { readonly protector: IdentifierProtector; readonly fraudEvidence: ReadonlySet<string> },
  source: string,
  importedAt: number,
): ImportedApplication {
  const { line, submittedAt } = record;
  const { identifiers: raw, submittedAt: _at, outcome, reasons = [], label, ...request } = line;
  const identifiers = deps.protector.protect(raw ?? {});
  const decisionId = newDecisionId(submittedAt);
  const document = {
    imported: true,
    decisionId,
    applicationId: line.applicationId,
    product: line.product,
    region: line.region,
    outcome: outcome ?? null,
    reasons,
    submittedAt: new Date(submittedAt).toISOString(),
    importedAt: new Date(importedAt).toISOString(),
    source,
    request,
  };
  const row: DecisionRow = {
    decisionId,
    applicationId: line.applicationId,
    requestFingerprint: record.fingerprint,
    product: line.product,
    region: line.region,
    outcome: outcome ?? 'unknown',
    rulesVersion: 'imported',
    decidedAt: submittedAt,
    identifiers: Object.entries(identifiers).map(([type, id]) => ({ type, hash: id.hash, masked: id.masked })),
    // Lean: the identifiers are in the store's identifier table (hash and masked form) already.
    // Serialised here (the import worker), and not carried twice to the thread that writes it.
    document: undefined,
    documentJson: JSON.stringify(document),
    fraudEvidence: reasons.some((code) => deps.fraudEvidence.has(code)),
    source: 'imported',
  };
  return label ? { row, label } : { row };
}

/**
 * Inside a unit of work: stores one prepared record (its decision row, identifiers and label), or
 * recognises it as already stored. Throws DuplicateApplicationError when the id is taken by a
 * different application.
 */
export function storeHistoryRecord(
  deps: { readonly store: AuditStore; readonly labels: GraphStore },
  prepared: ImportedApplication,
  source: string,
  importedAt: number,
): HistoryWrite {
  const { row, label } = prepared;
  const existing = deps.store.findByApplicationId(row.applicationId);
  if (existing) {
    if (existing.requestFingerprint === row.requestFingerprint) return { kind: 'present' };
    throw new DuplicateApplicationError(row.applicationId);
  }
  deps.store.insertDecision(row, 'final');
  if (label) deps.labels.addLabel({ applicationId: row.applicationId, label, by: source, note: 'imported with its history', at: importedAt });
  return { kind: 'imported', imported: prepared };
}

export interface HistoryServiceDeps extends Omit<HistoryContext, 'products' | 'regions'> {
  readonly ruleSet: () => RuleSet;
  readonly store: AuditStore;
  readonly labels: GraphStore;
  /** After each commit: feed the identity graph and velocity index (the running service). */
  readonly onImported?: (imported: readonly ImportedApplication[]) => void;
  /** On a replica: batches are stored on the shared database (and copied here) instead of the embedded store alone. */
  readonly shared?: SharedHistory;
}

/** Where a file import stands: recorded with each batch, so a restart resumes after the last committed line. */
export interface ImportProgress {
  readonly importId: string;
  readonly linesDone: number;
  readonly finished: boolean;
}

export class HistoryService {
  private readonly context: HistoryContext;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.context = { ...deps, products: () => new Set(deps.ruleSet().flows.keys()), regions: () => regionsOf(deps.ruleSet()) };
  }

  check(value: unknown): ReturnType<typeof checkHistoryLine> {
    return checkHistoryLine(value, this.context);
  }

  /** Whether the store already holds this application with a different body (a line that cannot load). */
  conflictsWithStore(record: HistoryRecord): boolean {
    const existing = this.deps.store.findByApplicationId(record.line.applicationId);
    return existing !== undefined && existing.requestFingerprint !== record.fingerprint;
  }

  /**
   * A batch from an origination system (POST /history): every line checked first, against the
   * schema, the batch itself and the store; nothing is written unless all pass.
   */
  async importBatch(values: readonly unknown[], source: string): Promise<{ imported: number; alreadyPresent: number } | { problems: readonly (HistoryProblem & { readonly index: number })[] }> {
    const problems: (HistoryProblem & { index: number })[] = [];
    const records: HistoryRecord[] = [];
    const seen = new Map<string, string>();
    values.forEach((value, index) => {
      const checked = this.check(value);
      if ('problems' in checked) return problems.push(...checked.problems.map((p) => ({ ...p, index })));
      const { record } = checked;
      const earlier = seen.get(record.line.applicationId);
      if (earlier !== undefined && earlier !== record.fingerprint) return problems.push({ index, path: 'applicationId', message: `"${record.line.applicationId}" appears earlier in the batch with a different body` });
      if (this.conflictsWithStore(record)) return problems.push({ index, path: 'applicationId', message: `"${record.line.applicationId}" is already recorded with a different body` });
      seen.set(record.line.applicationId, record.fingerprint);
      records.push(record);
    });
    if (problems.length > 0) return { problems };
    return this.commit(records, source);
  }

  /** Commits the records in one unit of work (all or none), with the file's progress if given. */
  commit(records: readonly HistoryRecord[], source: string, progress?: ImportProgress): Promise<{ imported: number; alreadyPresent: number }> {
    const now = this.deps.clock();
    const deps = { protector: this.deps.protector, fraudEvidence: fraudEvidenceReasons(this.deps.ruleSet()) };
    return this.commitPrepared(
      records.map((r) => prepareHistoryRecord(r, deps, source, now)),
      source,
      progress,
    );
  }

  /** Commits records prepared elsewhere (npm run import prepares them in a worker thread). */
  async commitPrepared(prepared: readonly ImportedApplication[], source: string, progress?: ImportProgress): Promise<{ imported: number; alreadyPresent: number }> {
    const { store, labels, clock, shared } = this.deps;
    const now = clock();
    if (shared) {
      // A file's resumable progress lives in the embedded store; npm run import loads one instance's.
      if (progress) throw new Error('a history file is imported into the embedded store (npm run import), not through a replica');
      let imported: ImportedApplication[];
      try {
        imported = await shared.importHistory(prepared, source, now);
      } catch (err) {
        if (err instanceof HistoryConflictError) throw new DuplicateApplicationError(err.applicationId);
        throw err;
      }
      this.deps.onImported?.(imported);
      return { imported: imported.length, alreadyPresent: prepared.length - imported.length };
    }
    const imported = await store.commit(() => {
      const out: ImportedApplication[] = [];
      for (const p of prepared) {
        const written = storeHistoryRecord({ store, labels }, p, source, now);
        if (written.kind === 'imported') out.push(written.imported);
      }
      if (progress) store.recordHistoryProgress(progress.importId, progress.linesDone, progress.finished ? now : null);
      return out;
    });
    this.deps.onImported?.(imported);
    return { imported: imported.length, alreadyPresent: prepared.length - imported.length };
  }
}

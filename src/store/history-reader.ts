// Reads stored decisions for backtests from a connection of its own that never writes: beside a
// running service (WAL readers do not block its writer, nor it them) or on a copy of a store, in
// any thread. It takes no ownership lock and runs no migration: a store written by an older
// version is refused until the service has opened (and migrated) it once.
import Database from 'better-sqlite3';
import { decodeStoredDocument } from './decision-writer';
import { MIGRATIONS, PURGED_IDENTIFIER } from './audit-store';
import { checkIdentifierKey, type CheckedKeys } from './identifier-key-chain';

/** Which stored decisions: decided in [from, to) (epoch ms), of one product and region if named. */
export interface HistoryFilter {
  readonly from: number;
  readonly to: number;
  readonly product?: string;
  readonly region?: string;
}

/** A period with no bound given: every decision ever stored. */
export const ALL_TIME = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER } as const;

/** A period as reports show it: ISO instants, null for a side left open. */
export function periodOf(period: { readonly from: number; readonly to: number }): { from: string | null; to: string | null } {
  const iso = (at: number, open: number) => (at === open ? null : new Date(at).toISOString());
  return { from: iso(period.from, ALL_TIME.from), to: iso(period.to, ALL_TIME.to) };
}

/** One of `of` disjoint shares of the history (by row id), so threads can split a period between them. */
export interface HistoryPartition {
  readonly index: number;
  readonly of: number;
}

export interface HistoryPosition {
  readonly decidedAt: number;
  readonly row: number;
}

/** A stored decision as a backtest needs it. */
export interface HistoricDecision {
  readonly decisionId: string;
  readonly product: string;
  readonly region: string;
  /** The stored document: a decision record (src/decision/record.ts) or, for imports and older rows, a whole document. */
  readonly document: unknown;
  /** The keyed hashes of its identifiers by type; `purged` stands for one retention has forgotten. */
  readonly identifierHashes: Readonly<Partial<Record<string, string>>>;
  /** How the loan turned out, where the lender reported it. */
  readonly loanStatus: string | null;
}

export const PURGED = PURGED_IDENTIFIER;

interface Row {
  row: number;
  decision_id: string;
  application_id: string;
  product: string;
  region: string;
  decided_at: number;
  document: string;
  record: Buffer | null;
  loan_status: string | null;
}

const FILTER = `d.decided_at >= @from AND d.decided_at < @to
   AND (@product IS NULL OR d.product = @product) AND (@region IS NULL OR d.region = @region)
   AND (d.rowid % @of) = @index`;

export class HistoryReader {
  private readonly db: Database.Database;
  private readonly pageStatement: Database.Statement<Record<string, unknown>, Row>;
  private readonly countStatement: Database.Statement<Record<string, unknown>, { n: number }>;
  private readonly identifiersStatement: Database.Statement<[string], { application_id: string; type: string; hash: string }>;

  constructor(file: string) {
    try {
      this.db = new Database(file, { fileMustExist: true });
    } catch (err) {
      throw new Error(`audit store ${file} cannot be read: ${(err as Error).message}`);
    }
    try {
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('query_only = ON');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version !== MIGRATIONS.length) throw new Error(`audit store ${file} is at schema version ${version}, this build reads ${MIGRATIONS.length}: start the service on it once to migrate it`);
    } catch (err) {
      this.db.close();
      throw err;
    }
    // Keyset by (decided_at, rowid) along the decided_at index: each page is an index range, and
    // the partition's rowid test is answered from the index entry without reading other rows.
    this.pageStatement = this.db.prepare(
      `SELECT d.rowid AS row, d.decision_id, d.application_id, d.product, d.region, d.decided_at, d.document, d.record, o.status AS loan_status
         FROM decisions d LEFT JOIN loan_outcomes o ON o.decision_id = d.decision_id
        WHERE ${FILTER} AND (d.decided_at, d.rowid) > (@afterAt, @afterRow)
        ORDER BY d.decided_at, d.rowid LIMIT @limit`,
    );
    this.countStatement = this.db.prepare(`SELECT COUNT(*) AS n FROM decisions d WHERE ${FILTER}`);
    // A page's identifiers in one statement (a primary-key range per application), not a subquery per row.
    this.identifiersStatement = this.db.prepare(`SELECT i.application_id, i.type, i.hash FROM json_each(?) AS j JOIN application_identifiers i ON i.application_id = j.value`);
  }

  private params(filter: HistoryFilter, partition: HistoryPartition) {
    return { from: filter.from, to: filter.to, product: filter.product ?? null, region: filter.region ?? null, of: partition.of, index: partition.index };
  }

  /** How many decisions the filter selects in this partition. */
  count(filter: HistoryFilter, partition: HistoryPartition = { index: 0, of: 1 }): number {
    return this.countStatement.get(this.params(filter, partition))?.n ?? 0;
  }

  /** Up to `limit` decisions after `after`, in (decided_at, rowid) order; `next` is undefined on the last page. */
  page(filter: HistoryFilter, partition: HistoryPartition, after: HistoryPosition | undefined, limit: number): { decisions: HistoricDecision[]; next: HistoryPosition | undefined } {
    const rows = this.pageStatement.all({ ...this.params(filter, partition), afterAt: after?.decidedAt ?? Number.MIN_SAFE_INTEGER, afterRow: after?.row ?? 0, limit });
    const hashes = new Map<string, Record<string, string>>();
    if (rows.length > 0) {
      for (const i of this.identifiersStatement.all(JSON.stringify(rows.map((r) => r.application_id)))) {
        let of = hashes.get(i.application_id);
        if (!of) hashes.set(i.application_id, (of = {}));
        of[i.type] = i.hash;
      }
    }
    const decisions = rows.map((r): HistoricDecision => ({
      decisionId: r.decision_id,
      product: r.product,
      region: r.region,
      document: JSON.parse(decodeStoredDocument(r)) as unknown,
      identifierHashes: hashes.get(r.application_id) ?? {},
      loanStatus: r.loan_status,
    }));
    const last = rows[rows.length - 1];
    return { decisions, next: last && rows.length === limit ? { decidedAt: last.decided_at, row: last.row } : undefined };
  }

  /** The key chain to hash with, if `key` is the store's (IdentifierKeyError otherwise); records nothing. */
  identifierKeys(key: Buffer, origin?: string): CheckedKeys {
    return checkIdentifierKey(this.db, key, origin);
  }

  close(): void {
    this.db.close();
  }
}

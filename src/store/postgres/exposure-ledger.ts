// The exposure ledger on PostgreSQL, shared by several replicas: an approval reserves its amount
// against its region's limit, and however many replicas approve at the same moment, a region's
// reservations never add up past its limit. Two ways to get there, chosen per ledger, measured
// side by side by bench/pg-ledger.ts:
//
// - 'row-lock': one statement takes the region's row lock by adding the amount only where it
//   still fits, and inserts the reservation only if that update happened. Approvals of one region
//   queue on its row for the length of one statement and its commit; other regions never wait.
// - 'serializable': a SERIALIZABLE transaction reads the region's total and limit, checks in
//   SQL, then inserts and adds. Two approvals that read the same total cannot both commit
//   (PostgreSQL fails the later writer with SQLSTATE 40001); the loser retries with jittered
//   backoff, a bounded number of times.
//
// Idempotent by decision id (the reservations' primary key): a replica that retries after a
// crash, or a client that retries a timed-out approval, never books a decision twice. Only
// bookings leave a row: a refused decision can be tried again, and books if room was freed since
// (the decision record, not the ledger, is what makes a refusal final).
//
// Amounts cross this boundary as numbers of currency units with at most two decimals (toDecimal
// refuses a third); they are sent to PostgreSQL as exact decimal strings and every sum and
// comparison runs there, never in floating point here. The service itself books through
// decisions.ts; this ledger is what `npm run bench:pg-ledger` measured to choose the row lock.
import type { Pool, PoolClient } from 'pg';
import type { Reservation } from '../audit-store';

export type LedgerStrategy = 'row-lock' | 'serializable';

export interface ExposureLedgerOptions {
  readonly strategy: LedgerStrategy;
  /**
   * For each statement of a ledger transaction, and for the pauses between them (SET LOCAL, so
   * it never leaks into other users of the pool): a reservation stuck behind a lock fails within
   * this time rather than holding an approval and a connection indefinitely, and a transaction
   * left open by a stalled replica is ended rather than holding its region. Default 5,000 ms.
   */
  readonly statementTimeoutMs?: number;
  /**
   * Attempts in all for a transaction that fails with a serialization failure (40001) or a
   * deadlock (40P01), before reserve gives up with LedgerContentionError. Default 32: three
   * replicas with 10 connections each booking one hot region (the test's race) took at most
   * 13–17 attempts for one booking, and 12 left a few dozen approvals of 1,000 unanswered.
   * With the default backoff that is at most ~2.5 s of waiting in all (half that on average).
   */
  readonly maxAttempts?: number;
  /** Backoff before retry n is uniform in [0, min(cap, base·2^(n−1))] ms ("full jitter"). Defaults 1 and 100. */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** For tests of the retry path; Math.random otherwise. */
  readonly random?: () => number;
}

/** A reservation as the service books one (amount in currency units, > 0, at most two decimals here), which may never expire. */
export interface ReserveInput extends Omit<Reservation, 'expiresAt'> {
  /** Epoch milliseconds; null: held until released. */
  readonly expiresAt: number | null;
}

export type ReserveResult =
  /**
   * reserved: the region's total after this booking; for a replay (the decision was already
   * booked, perhaps by an earlier attempt whose answer was lost), the region's total now.
   */
  | { readonly booked: true; readonly reserved: number; readonly replayed: boolean }
  | { readonly booked: false; readonly reserved: number; readonly limit: number };

export interface RegionLedger {
  readonly limit: number;
  /** The running total kept with each reservation and release. */
  readonly reserved: number;
  /** The sum of the unreleased reservations (equal to reserved, unless the ledger is broken). */
  readonly live: number;
  readonly liveReservations: number;
}

export interface LedgerStats {
  /** Transactions started, retries included. */
  attempts: number;
  retries: number;
  /** Transactions given up after maxAttempts. */
  exhausted: number;
  /** The most attempts one transaction took (how close the bound came to being hit). */
  mostAttempts: number;
}

/** No room is not an error; contention past the retry bound is: the approval cannot be answered now. */
export class LedgerContentionError extends Error {
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(`exposure ledger: gave up after ${attempts} attempts (serialization failures or deadlocks)`, { cause });
    this.name = 'LedgerContentionError';
    this.attempts = attempts;
  }
}

/** A reservation for a region that has no limit row: a configuration error, never "no room". */
export class UnknownRegionError extends Error {
  constructor(readonly region: string) {
    super(`exposure ledger: no limit set for region ${JSON.stringify(region)}`);
    this.name = 'UnknownRegionError';
  }
}

/** The decision id is booked already, with another region or amount: a caller's bug, never a replay. */
export class ReservationConflictError extends Error {
  constructor(readonly decisionId: string) {
    super(`exposure ledger: decision ${JSON.stringify(decisionId)} is booked already with a different region or amount`);
    this.name = 'ReservationConflictError';
  }
}

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
const UNIQUE_VIOLATION = '23505';

/** 10^13 − 0.01: the largest numeric(15,2). */
const MAX_AMOUNT = 9_999_999_999_999.99;

/** The exact decimal (two places) that `amount` stands for; throws where it has more decimals or is out of range. */
export function toDecimal(amount: number, what = 'amount'): string {
  if (!Number.isFinite(amount) || amount < 0 || amount > MAX_AMOUNT) throw new RangeError(`${what} ${amount} is out of range`);
  const scaled = amount * 100;
  const cents = Math.round(scaled);
  // The tolerance absorbs the representation error of amount·100 (1.1·100 is 110.00000000000001),
  // never a real third decimal (1.005·100 is 100.49999999999999).
  if (Math.abs(scaled - cents) > Math.max(1e-6, scaled * 1e-12)) throw new RangeError(`${what} ${amount} has more than two decimals`);
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** numeric arrives as a string (pg's default, which keeps its precision); numeric(15,2) fits a number exactly to the cent. */
const money = (value: string | null | undefined): number => (value === null || value === undefined ? 0 : Number(value));

const sqlState = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Books only where the amount still fits and the decision is not booked yet; the insert runs only
// on the row the update returned, so the region's row lock is taken by the first statement and
// held only until this transaction's commit. A concurrent duplicate (both passed NOT EXISTS on
// their snapshot) waits on the primary key and fails with 23505 once the first commits.
const BOOK_IF_ROOM = `
  WITH booked AS (
    UPDATE region_exposure SET reserved = reserved + $4::numeric
     WHERE region = $2 AND reserved + $4::numeric <= limit_amount
       AND NOT EXISTS (SELECT 1 FROM exposure_reservations WHERE decision_id = $1)
    RETURNING reserved
  ), placed AS (
    INSERT INTO exposure_reservations (decision_id, region, product, amount, pd, reserved_at, expires_at)
    SELECT $1::text, $2::text, $3::text, $4::numeric, $5::float8, $6::bigint, $7::bigint FROM booked
    RETURNING decision_id
  )
  SELECT booked.reserved FROM booked, placed`;

// Reads only the region row: reading the reservation's key here too would put a predicate lock on
// a page of the reservations' primary key, which every other booking inserts into, and turn
// bookings of unrelated decisions (and regions) into serialization failures. Duplicates are
// caught by the primary key on insert instead.
const READ_REGION = `SELECT limit_amount, reserved, reserved + $2::numeric <= limit_amount AS fits FROM region_exposure WHERE region = $1`;

const INSERT_AND_ADD = `
  WITH placed AS (
    INSERT INTO exposure_reservations (decision_id, region, product, amount, pd, reserved_at, expires_at)
    VALUES ($1::text, $2::text, $3::text, $4::numeric, $5::float8, $6::bigint, $7::bigint)
  )
  UPDATE region_exposure SET reserved = reserved + $4::numeric WHERE region = $2 RETURNING reserved`;

const BOOKED_AS = `
  SELECT e.region, e.amount, r.reserved FROM exposure_reservations e JOIN region_exposure r ON r.region = e.region
   WHERE e.decision_id = $1`;

// Released once: a second release (or a concurrent one, which waits on the reservation's row and
// then sees released_at set) matches no row, so the total goes down once.
const RELEASE = `
  WITH gone AS (
    UPDATE exposure_reservations SET released_at = $2::bigint
     WHERE decision_id = $1 AND released_at IS NULL
    RETURNING region, amount
  )
  UPDATE region_exposure r SET reserved = r.reserved - gone.amount FROM gone WHERE r.region = gone.region
  RETURNING r.reserved`;

export class PgExposureLedger {
  readonly strategy: LedgerStrategy;
  readonly stats: LedgerStats = { attempts: 0, retries: 0, exhausted: 0, mostAttempts: 0 };
  private readonly statementTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly random: () => number;

  constructor(
    private readonly pool: Pool,
    options: ExposureLedgerOptions,
  ) {
    this.strategy = options.strategy;
    this.statementTimeoutMs = Math.trunc(options.statementTimeoutMs ?? 5_000);
    this.maxAttempts = Math.max(1, Math.trunc(options.maxAttempts ?? 32));
    this.backoffBaseMs = options.backoffBaseMs ?? 1;
    this.backoffCapMs = options.backoffCapMs ?? 100;
    this.random = options.random ?? Math.random;
    if (!(this.statementTimeoutMs > 0)) throw new RangeError('statementTimeoutMs must be a positive number of milliseconds');
  }

  /** Sets (or changes) a region's limit. Lowering it below the reserved total refuses new bookings; nothing booked is undone. */
  async setLimit(region: string, limit: number): Promise<void> {
    const amount = toDecimal(limit, 'limit');
    await this.transaction('READ COMMITTED', (client) =>
      client.query(
        `INSERT INTO region_exposure (region, limit_amount) VALUES ($1, $2::numeric)
         ON CONFLICT (region) DO UPDATE SET limit_amount = excluded.limit_amount`,
        [region, amount],
      ),
    );
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    if (!(input.amount > 0)) throw new RangeError(`amount ${input.amount} must be positive`);
    const amount = toDecimal(input.amount);
    const params = [input.decisionId, input.region, input.product, amount, input.pd, input.reservedAt, input.expiresAt];
    let outcome: Outcome;
    try {
      outcome = this.strategy === 'row-lock' ? await this.bookWithRowLock(params) : await this.bookSerializable(params);
    } catch (err) {
      // A concurrent reserve of the same decision committed first: answer as its replay.
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      outcome = { kind: 'duplicate' };
    }
    if (outcome.kind === 'booked') return { booked: true, reserved: outcome.reserved, replayed: false };
    const replay = await this.replay(input, amount);
    if (replay) return replay;
    if (outcome.kind === 'duplicate') throw new Error(`exposure ledger: decision ${input.decisionId} collided on insert but is not booked`);
    return { booked: false, reserved: outcome.reserved, limit: outcome.limit };
  }

  /** Gives the reservation's room back; true the first time, false after (or for an unknown decision). */
  async release(decisionId: string, at: number): Promise<boolean> {
    const result = await this.transaction('READ COMMITTED', (client) => client.query(RELEASE, [decisionId, at]));
    return (result.rowCount ?? 0) > 0;
  }

  /** The region's limit, running total and live reservations, read in one snapshot; undefined for a region without a limit. */
  async region(region: string): Promise<RegionLedger | undefined> {
    const { rows } = await this.transaction('READ COMMITTED', (client) =>
      client.query<{ limit_amount: string; reserved: string; live: string | null; live_reservations: string }>(
        `SELECT r.limit_amount, r.reserved, l.live, l.live_reservations
           FROM region_exposure r,
                LATERAL (SELECT sum(amount) AS live, count(*) AS live_reservations FROM exposure_reservations
                          WHERE region = r.region AND released_at IS NULL) l
          WHERE r.region = $1`,
        [region],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    return { limit: money(row.limit_amount), reserved: money(row.reserved), live: money(row.live), liveReservations: Number(row.live_reservations) };
  }

  private async bookWithRowLock(params: unknown[]): Promise<Outcome> {
    return this.transaction('READ COMMITTED', async (client) => {
      const booked = await client.query<{ reserved: string }>(BOOK_IF_ROOM, params);
      if (booked.rows[0]) return { kind: 'booked', reserved: money(booked.rows[0].reserved) };
      // A new statement, so a new snapshot: the totals as they are after the update's wait.
      const region = await client.query<{ limit_amount: string; reserved: string }>(READ_REGION, [params[1], params[3]]);
      if (!region.rows[0]) throw new UnknownRegionError(String(params[1]));
      return { kind: 'no-room', reserved: money(region.rows[0].reserved), limit: money(region.rows[0].limit_amount) };
    });
  }

  private async bookSerializable(params: unknown[]): Promise<Outcome> {
    return this.transaction('SERIALIZABLE', async (client) => {
      const region = await client.query<{ limit_amount: string; reserved: string; fits: boolean }>(READ_REGION, [params[1], params[3]]);
      const row = region.rows[0];
      if (!row) throw new UnknownRegionError(String(params[1]));
      if (!row.fits) return { kind: 'no-room', reserved: money(row.reserved), limit: money(row.limit_amount) };
      const added = await client.query<{ reserved: string }>(INSERT_AND_ADD, params);
      return { kind: 'booked', reserved: money(added.rows[0]?.reserved) };
    });
  }

  /** The booking of this decision, if one exists (refused or collided attempts ask: was it booked before?). */
  private async replay(input: ReserveInput, amount: string): Promise<ReserveResult | undefined> {
    const { rows } = await this.transaction('READ COMMITTED', (client) =>
      client.query<{ region: string; amount: string; reserved: string }>(BOOKED_AS, [input.decisionId]),
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.region !== input.region || row.amount !== amount) throw new ReservationConflictError(input.decisionId);
    return { booked: true, reserved: money(row.reserved), replayed: true };
  }

  private async transaction<T>(isolation: 'READ COMMITTED' | 'SERIALIZABLE', work: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.stats.attempts += 1;
      this.stats.mostAttempts = Math.max(this.stats.mostAttempts, attempt);
      try {
        return await this.once(isolation, work);
      } catch (err) {
        const state = sqlState(err);
        if (state !== SERIALIZATION_FAILURE && state !== DEADLOCK_DETECTED) throw err;
        if (attempt >= this.maxAttempts) {
          this.stats.exhausted += 1;
          throw new LedgerContentionError(attempt, err);
        }
        this.stats.retries += 1;
        await sleep(this.random() * Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async once<T>(isolation: 'READ COMMITTED' | 'SERIALIZABLE', work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // One round trip for the lot. The idle timeout too: a replica that stalls or loses the
      // network between its booking statement and COMMIT holds the region's row lock, and TCP
      // alone would tell the server only after hours; the server ends that session instead.
      // enable_seqscan off: on a table of a few rows the planner prefers a sequential scan, and
      // under SERIALIZABLE a sequential scan locks the whole relation for conflict detection, so
      // every booking would conflict with every other region's.
      const timeout = this.statementTimeoutMs;
      const planner = isolation === 'SERIALIZABLE' ? '; SET LOCAL enable_seqscan = off' : '';
      await client.query(
        `BEGIN ISOLATION LEVEL ${isolation}; SET LOCAL statement_timeout = ${timeout}; SET LOCAL idle_in_transaction_session_timeout = ${timeout}${planner}`,
      );
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot even roll back is not given back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))));
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

type Outcome = { readonly kind: 'booked'; readonly reserved: number } | { readonly kind: 'no-room'; readonly reserved: number; readonly limit: number } | { readonly kind: 'duplicate' };

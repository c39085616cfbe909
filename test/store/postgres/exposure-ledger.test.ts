// The standalone exposure ledger on a real PostgreSQL (no mocks), for both strategies: the one
// `npm run bench:pg-ledger` measured to choose the row lock the service's commits take
// (src/store/postgres/decisions.ts, whose kill -9 race runs on the real service in
// test/http/replicas-crash.test.ts). Three replicas as three processes racing 1,000 approvals for
// room for 100, and the ledger's smaller promises (idempotency, release, regions apart, retries
// and timeouts). Nothing here waits on a timer for ordering: the
// replicas report each booking over IPC, and the lock tests watch pg_stat_activity.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LedgerContentionError,
  PgExposureLedger,
  ReservationConflictError,
  UnknownRegionError,
  type LedgerStrategy,
} from '../../../src/store/postgres/exposure-ledger';
import { MIGRATIONS, migrate } from '../../../src/store/postgres/migrations';
import { createTestSchema, reachable, type TestSchema } from '../../support/pg';
import type { ReplicaMessage, RunOrder } from './ledger-replica';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const REPLICA = path.join(import.meta.dirname, 'ledger-replica.ts');
const STRATEGIES: readonly LedgerStrategy[] = ['row-lock', 'serializable'];

// 12.34 a time against 1,234.00: exactly 100 fit, and 100 × 12.34 is not 1,234 in floating
// point, so the check has to run in exact decimals to let the 100th in.
const AMOUNT = 12.34;
const LIMIT = 1234;
const FITS = 100;
const ATTEMPTS = 1000;
const CONCURRENCY = 30;

type Done = Extract<ReplicaMessage, { type: 'done' }>;

/** A replica process and its messages. */
class Replica {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly ready: Promise<number>;
  private output = '';
  private readonly listeners = new Set<(message: ReplicaMessage) => void>();

  constructor(schema: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', REPLICA], {
      cwd: ROOT,
      env: { ...process.env, LEDGER_SCHEMA: schema, LEDGER_POOL_SIZE: '10' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += String(chunk)));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += String(chunk)));
    this.child.on('message', (message: ReplicaMessage) => {
      for (const listener of this.listeners) listener(message);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = this.next('ready').then((m) => m.migratedFrom);
  }

  onMessage(listener: (message: ReplicaMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next message of `type`; rejects if the replica reports a failure or exits first. */
  next<T extends ReplicaMessage['type']>(type: T): Promise<Extract<ReplicaMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const off = this.onMessage((message) => {
        if (message.type === type) {
          off();
          resolve(message as Extract<ReplicaMessage, { type: T }>);
        } else if (message.type === 'failed') {
          off();
          reject(new Error(`replica failed: ${message.error}\n${this.output}`));
        }
      });
      void this.exited.then(({ code, signal }) => {
        off();
        reject(new Error(`replica exited (${signal ?? code}) before '${type}':\n${this.output}`));
      });
    });
  }

  /** Starts a run; resolves with its report. */
  run(order: Omit<RunOrder, 'type'>): Promise<Done> {
    const done = this.next('done');
    this.child.send({ type: 'run', ...order } satisfies RunOrder);
    return done;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.send({ type: 'exit' });
      await this.exited;
    }
  }
}

const ids = (prefix: string) => Array.from({ length: ATTEMPTS }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
/** 334 / 333 / 333. */
const shares = (all: readonly string[]) => [all.slice(0, 334), all.slice(334, 667), all.slice(667)];

let schema: TestSchema;
let replicas: Replica[] = [];

beforeAll(async () => {
  schema = await createTestSchema('ledger');
  // Three replicas starting together each migrate the empty schema.
  replicas = [0, 1, 2].map(() => new Replica(schema.name));
  await Promise.all(replicas.map((r) => r.ready));
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await schema?.drop();
});

async function ledgerRows(region: string): Promise<Map<string, string>> {
  const { rows } = await schema.pool.query<{ decision_id: string; amount: string }>('SELECT decision_id, amount FROM exposure_reservations WHERE region = $1', [region]);
  return new Map(rows.map((r) => [r.decision_id, r.amount]));
}

/** The totals agree with the rows: exactly FITS bookings, reserved = live = their sum = the limit. */
async function expectFullAndConsistent(ledger: PgExposureLedger, region: string): Promise<Map<string, string>> {
  const rows = await ledgerRows(region);
  expect(rows.size).toBe(FITS);
  expect(new Set(rows.values())).toEqual(new Set(['12.34']));
  const { rows: sums } = await schema.pool.query<{ sum: string }>('SELECT sum(amount) AS sum FROM exposure_reservations WHERE region = $1', [region]);
  expect(sums[0]?.sum).toBe('1234.00');
  expect(await ledger.region(region)).toEqual({ limit: LIMIT, reserved: LIMIT, live: LIMIT, liveReservations: FITS });
  return rows;
}

describe('migrations', () => {
  it('three replicas migrating together apply each version once', async () => {
    const froms = await Promise.all(replicas.map((r) => r.ready));
    expect(froms.sort()).toEqual([0, MIGRATIONS.length, MIGRATIONS.length]);
    const { rows } = await schema.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(await migrate(schema.pool)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
  });

  it('an unreachable database is an error that says so, never a skip', async () => {
    await expect(reachable('postgresql://127.0.0.1:1/test')).rejects.toThrow(/PostgreSQL is not reachable at postgresql:\/\/(\w+@)?127\.0\.0\.1:1\/test .*fail, never skip/);
  });
});

describe.each(STRATEGIES)('the exposure ledger, %s', (strategy) => {
  const ledger = () => new PgExposureLedger(schema.pool, { strategy });

  it(`three replicas racing ${ATTEMPTS} approvals for room for ${FITS} book exactly ${FITS}`, async () => {
    const region = `race-${strategy}`;
    await ledger().setLimit(region, LIMIT);
    const reports = await Promise.all(shares(ids(region)).map((decisionIds, i) => (replicas[i] as Replica).run({ strategy, region, amount: AMOUNT, decisionIds, concurrency: CONCURRENCY })));

    // No approval left unanswered: the serializable retries stayed within their bound.
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    // Waiting on the row lock is the row-lock strategy's whole answer to contention: it never retries.
    if (strategy === 'row-lock') expect(reports.map((r) => r.stats.retries)).toEqual([0, 0, 0]);
    const booked = reports.flatMap((r) => r.booked);
    expect(booked).toHaveLength(FITS);
    expect(reports.reduce((n, r) => n + r.refused, 0)).toBe(ATTEMPTS - FITS);
    expect(reports.flatMap((r) => r.replayed)).toEqual([]);
    const rows = await expectFullAndConsistent(ledger(), region);
    expect(new Set(booked)).toEqual(new Set(rows.keys()));
  });

  it('books a decision once however often it is reserved, also concurrently; a different amount under the same id is refused', async () => {
    const l = ledger();
    const region = `idem-${strategy}`;
    await l.setLimit(region, 1000);
    const input = { decisionId: `idem-${strategy}-1`, region, product: 'personal_loan', amount: 250.5, pd: 0.02, reservedAt: 1_700_000_000_000, expiresAt: 1_700_086_400_000 };
    expect(await l.reserve(input)).toEqual({ booked: true, reserved: 250.5, replayed: false });
    expect(await l.reserve(input)).toEqual({ booked: true, reserved: 250.5, replayed: true });

    const concurrent = await Promise.all(Array.from({ length: 8 }, () => l.reserve({ ...input, decisionId: `idem-${strategy}-2` })));
    expect(concurrent.every((r) => r.booked)).toBe(true);
    expect(concurrent.filter((r) => r.booked && !r.replayed)).toHaveLength(1);
    expect(await l.region(region)).toEqual({ limit: 1000, reserved: 501, live: 501, liveReservations: 2 });

    await expect(l.reserve({ ...input, amount: 250.51 })).rejects.toBeInstanceOf(ReservationConflictError);
    // A replay is answered even when the region has no room left for a new booking.
    await l.setLimit(region, 501);
    expect(await l.reserve(input)).toMatchObject({ booked: true, replayed: true });
  });

  it('a release gives the room back once', async () => {
    const l = ledger();
    const region = `release-${strategy}`;
    await l.setLimit(region, 100);
    const input = { decisionId: `release-${strategy}-1`, region, product: 'card', amount: 100, pd: null, reservedAt: 1, expiresAt: null };
    expect(await l.reserve(input)).toMatchObject({ booked: true });
    expect(await l.reserve({ ...input, decisionId: `release-${strategy}-2` })).toEqual({ booked: false, reserved: 100, limit: 100 });

    const releases = await Promise.all([l.release(input.decisionId, 2), l.release(input.decisionId, 3)]);
    expect(releases.sort()).toEqual([false, true]);
    expect(await l.release(input.decisionId, 4)).toBe(false);
    expect(await l.release('never-booked', 4)).toBe(false);
    expect(await l.region(region)).toEqual({ limit: 100, reserved: 0, live: 0, liveReservations: 0 });
    // Booked once, released: reserving that decision again does not book it a second time.
    expect(await l.reserve(input)).toMatchObject({ booked: true, replayed: true });
    expect((await l.region(region))?.reserved).toBe(0);
    expect(await l.reserve({ ...input, decisionId: `release-${strategy}-3` })).toEqual({ booked: true, reserved: 100, replayed: false });
  });

  it('a full region leaves the others alone; an unknown region and a third decimal are errors, not refusals', async () => {
    const l = ledger();
    const [full, other] = [`full-${strategy}`, `other-${strategy}`];
    await l.setLimit(full, 50);
    await l.setLimit(other, 50);
    const input = (decisionId: string, region: string) => ({ decisionId, region, product: 'card', amount: 50, pd: 0.1, reservedAt: 1, expiresAt: 2 });
    expect(await l.reserve(input(`${full}-1`, full))).toMatchObject({ booked: true });
    expect(await l.reserve(input(`${full}-2`, full))).toEqual({ booked: false, reserved: 50, limit: 50 });
    expect(await l.reserve(input(`${other}-1`, other))).toEqual({ booked: true, reserved: 50, replayed: false });
    expect(await l.region(full)).toEqual({ limit: 50, reserved: 50, live: 50, liveReservations: 1 });

    await expect(l.reserve(input(`${strategy}-nowhere`, 'nowhere'))).rejects.toBeInstanceOf(UnknownRegionError);
    await expect(l.reserve({ ...input(`${other}-2`, other), amount: 1.005 })).rejects.toThrow(/more than two decimals/);
    expect(await l.region('nowhere')).toBeUndefined();
  });
});

describe('contention', () => {
  /**
   * Holds a new version of the region's row uncommitted while `start` runs, until a ledger
   * transaction waits on it, then commits it. (Watched from outside the holder's transaction:
   * within one, pg_stat_activity keeps showing what it showed first.)
   */
  async function whileRowLocked<T>(region: string, start: () => Promise<T>): Promise<T> {
    const holder = await schema.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('UPDATE region_exposure SET reserved = reserved WHERE region = $1', [region]);
      const pending = start();
      pending.catch(() => undefined);
      for (;;) {
        const { rows } = await schema.pool.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [`test:${schema.name}`],
        );
        if ((rows[0]?.waiting ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await holder.query('COMMIT');
      return await pending;
    } finally {
      holder.release();
    }
  }

  const input = (decisionId: string, region: string) => ({ decisionId, region, product: 'card', amount: 10, pd: null, reservedAt: 1, expiresAt: null });

  it('serializable: a concurrent change to the region makes the booking retry, and fail once the retries run out; row-lock waits instead', async () => {
    const region = 'contended';
    await new PgExposureLedger(schema.pool, { strategy: 'row-lock' }).setLimit(region, 1000);

    const serializable = new PgExposureLedger(schema.pool, { strategy: 'serializable' });
    expect(await whileRowLocked(region, () => serializable.reserve(input('c-1', region)))).toEqual({ booked: true, reserved: 10, replayed: false });
    expect(serializable.stats.retries).toBe(1);

    const once = new PgExposureLedger(schema.pool, { strategy: 'serializable', maxAttempts: 1 });
    await expect(whileRowLocked(region, () => once.reserve(input('c-2', region)))).rejects.toBeInstanceOf(LedgerContentionError);
    expect(once.stats).toEqual({ attempts: 1, retries: 0, exhausted: 1, mostAttempts: 1 });

    const rowLock = new PgExposureLedger(schema.pool, { strategy: 'row-lock' });
    expect(await whileRowLocked(region, () => rowLock.reserve(input('c-3', region)))).toEqual({ booked: true, reserved: 20, replayed: false });
    expect(rowLock.stats.retries).toBe(0);
    expect(await rowLock.region(region)).toEqual({ limit: 1000, reserved: 20, live: 20, liveReservations: 2 });
  });

  it.each(STRATEGIES)('%s: a booking stuck behind a lock fails at the statement timeout and books nothing', async (strategy) => {
    const region = `timeout-${strategy}`;
    const l = new PgExposureLedger(schema.pool, { strategy, statementTimeoutMs: 200 });
    await l.setLimit(region, 1000);
    const holder = await schema.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('UPDATE region_exposure SET reserved = reserved WHERE region = $1', [region]);
      const failure: unknown = await l.reserve(input(`t-${strategy}`, region)).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as { code?: string }).code).toBe('57014');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await l.region(region)).toEqual({ limit: 1000, reserved: 0, live: 0, liveReservations: 0 });
  });
});

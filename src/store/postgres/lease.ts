// A lease that one replica at a time holds: the replica that reclusters the fraud graph (issue 16:
// "one recluster at a time"), or any other job that must not run twice at once. It is a
// PostgreSQL session advisory lock on a connection of its own, so it ends with that connection:
// a replica that is killed, or cut off from the database, loses its lease without a timeout to
// wait out, and another replica can take it on its next try. The key is scoped to the schema, so
// deployments (and test schemas) sharing a database never take each other's leases.
import type { Pool, PoolClient } from 'pg';

export interface Lease {
  readonly name: string;
  /** Ends the lease (the lock is released and the connection returned); safe to call twice. */
  release(): Promise<void>;
  /** Settles if the lease ends without release(): its connection failed, so the lock is gone. */
  readonly lost: Promise<Error>;
}

const KEY = "hashtextextended(current_schema() || ':' || $1::text, 0)";

/**
 * Takes the lease named `name` if no other session holds it; undefined at once otherwise (never
 * waits, so a replica that finds it taken simply leaves the job to the holder).
 */
export async function tryLease(pool: Pool, name: string): Promise<Lease | undefined> {
  const client: PoolClient = await pool.connect();
  let taken = false;
  try {
    const { rows } = await client.query<{ taken: boolean }>(`SELECT pg_try_advisory_lock(${KEY}) AS taken`, [name]);
    taken = rows[0]?.taken === true;
  } finally {
    if (!taken) client.release();
  }
  if (!taken) return undefined;

  let ended = false;
  let markLost!: (err: Error) => void;
  const lost = new Promise<Error>((resolve) => (markLost = resolve));
  const onError = (err: Error) => {
    if (ended) return;
    ended = true;
    // The connection is broken: the server has already dropped the lock with the session.
    client.release(err);
    markLost(err);
  };
  client.on('error', onError);
  return {
    name,
    lost,
    async release() {
      if (ended) return;
      ended = true;
      client.off('error', onError);
      try {
        await client.query(`SELECT pg_advisory_unlock(${KEY})`, [name]);
        client.release();
      } catch (err) {
        // Unlocking failed with the connection: discarding it ends the session, and the lock with it.
        client.release(err as Error);
      }
    },
  };
}

/** Runs `job` if this replica can take the lease `name` now (undefined otherwise), and gives the lease back after. */
export async function withLease<T>(pool: Pool, name: string, job: () => Promise<T>): Promise<T | undefined> {
  const lease = await tryLease(pool, name);
  if (!lease) return undefined;
  try {
    return await job();
  } finally {
    await lease.release();
  }
}

/**
 * Keeps trying to hold the lease `name`: at start and every `retryMs` while another replica holds
 * it, so when the holder dies or is cut off, one of the others takes over within that time.
 */
export class LeaseKeeper {
  private lease: Lease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private trying: Promise<void> | undefined;

  private handlers: { readonly onAcquired?: () => void; readonly onLost?: (err: Error) => void } = {};

  constructor(
    private readonly pool: Pool,
    readonly name: string,
    private readonly options: { readonly retryMs?: number; readonly onError?: (err: Error) => void } = {},
  ) {}

  get held(): boolean {
    return this.lease !== undefined;
  }

  /** Tries now and every retryMs; resolves after the first try (held or not). */
  start(handlers: { readonly onAcquired?: () => void; readonly onLost?: (err: Error) => void } = {}): Promise<void> {
    this.handlers = handlers;
    this.timer = setInterval(() => void this.tryOnce(), this.options.retryMs ?? 5_000).unref();
    return this.tryOnce();
  }

  private tryOnce(): Promise<void> {
    if (this.stopped || this.lease) return Promise.resolve();
    this.trying ??= tryLease(this.pool, this.name)
      .then((lease) => {
        if (!lease) return;
        if (this.stopped) return lease.release();
        this.lease = lease;
        void lease.lost.then((err) => {
          if (this.lease !== lease) return;
          this.lease = undefined;
          this.handlers.onLost?.(err);
        });
        this.handlers.onAcquired?.();
      })
      .catch((err: unknown) => this.options.onError?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => (this.trying = undefined));
    return this.trying;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.trying;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }
}

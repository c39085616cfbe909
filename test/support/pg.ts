// PostgreSQL for tests: the server CI and every developer machine run (127.0.0.1:5432, trust
// auth, database test), or DATABASE_URL. Each test file gets a schema of its own, so files
// running in parallel never see each other's rows, and drops it after. An unreachable server
// fails the test with a message saying so: a PostgreSQL test never skips.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDefaultUser } from '../../src/store/postgres/connection';
import { quoteIdent } from '../../src/store/postgres/migrations';

export const DATABASE_URL = withDefaultUser(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/test');

/** The URL without its password, for messages. */
const shownUrl = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** Pool settings whose connections see `schema` first (and only it, besides pg_catalog). */
export function poolConfig(schema: string, max = 10): pg.PoolConfig {
  return {
    connectionString: DATABASE_URL,
    options: `-c search_path=${schema}`,
    max,
    connectionTimeoutMillis: 10_000,
    application_name: `test:${schema}`,
  };
}

/** A pool on `schema`, with idle-connection errors (a server restart, a terminated backend) logged instead of crashing the process. */
export function schemaPool(schema: string, max = 10): pg.Pool {
  const pool = new pg.Pool(poolConfig(schema, max));
  pool.on('error', (err) => process.stderr.write(`idle PostgreSQL connection failed: ${err.message}\n`));
  return pool;
}

/** A connection URL whose sessions see `schema` (what a replica's DATABASE_URL would be). */
export function schemaUrl(schema: string): string {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export interface TestSchema {
  readonly name: string;
  /** DATABASE_URL for services working in the schema. */
  readonly url: string;
  /** A pool on the schema, ended by drop(). */
  readonly pool: pg.Pool;
  /** Another pool on it (a replica's), ended by drop(). */
  newPool(max?: number): pg.Pool;
  /** Ends the pools and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** Connects once, with a clear error where the server is not there. */
export async function reachable(url = DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: withDefaultUser(url), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${shownUrl(url)} (${err instanceof Error ? err.message : String(err)}). ` +
        'The PostgreSQL tests need a running server: start it, or point DATABASE_URL at one. They fail, never skip.',
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new, uniquely named, empty schema (prefix: letters, digits and _). */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  if (!/^[a-z][a-z0-9_]*$/.test(prefix)) throw new Error(`schema prefix ${prefix} must be lower-case letters, digits and _`);
  await reachable();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  const pools: pg.Pool[] = [];
  const newPool = (max?: number) => {
    const pool = schemaPool(name, max);
    pools.push(pool);
    return pool;
  };
  return {
    name,
    url: schemaUrl(name),
    pool: newPool(),
    newPool,
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

// A PostgreSQL URL without a user name means the OS user to libpq (psql, pg_dump), but pg, the
// Node driver, falls back to $USER only, and then sends no user at all where $USER is unset (a
// service manager's or CI's environment): the server answers "no PostgreSQL user name specified".
import { userInfo } from 'node:os';

/** `url` with PGUSER, or else the OS user, filled in where it names no user; as given otherwise. */
export function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username) return url;
  parsed.username = encodeURIComponent(process.env.PGUSER || userInfo().username);
  return parsed.toString();
}

/**
 * The shared database could not be reached, or could not finish in time: the decision was not
 * acknowledged. Whether its commit landed is unknown (a connection lost after COMMIT was sent);
 * a retry of the same request answers with the stored decision if it did.
 */
export class SharedDatabaseUnavailableError extends Error {
  constructor(readonly code: string, cause: unknown) {
    super(`the shared database is unavailable (${code})`, { cause });
    this.name = 'SharedDatabaseUnavailableError';
  }
}

// SQLSTATE classes and codes that say "not now", never "this request is wrong": connection
// exceptions (08), an administrator's or crash shutdown (57P01–57P03), a statement or lock
// timeout (57014), insufficient resources (53), and serialization failures or deadlocks.
const UNAVAILABLE_STATES = /^(08|53|57P0[1-3]$|57014$|40001$|40P01$)/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// node-postgres reports a lost connection and a pool wait that timed out by message only.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended/i;

/** The error as SharedDatabaseUnavailableError where it means the database is unreachable or overloaded; as given otherwise. */
export function unavailableOr(err: unknown): unknown {
  if (err instanceof SharedDatabaseUnavailableError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return new SharedDatabaseUnavailableError(code, err);
  if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) return new SharedDatabaseUnavailableError('no connection free within DATABASE_STATEMENT_TIMEOUT_MS', err);
  if (err instanceof Error && UNAVAILABLE_MESSAGES.test(err.message)) return new SharedDatabaseUnavailableError('connection', err);
  return err;
}

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

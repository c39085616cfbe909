// Facts about the store itself, by name, in the store_meta table (a migration of audit-store.ts):
// the identifier key's fingerprint and chain, a rekey's progress, where retention sweeps carry on.
import type Database from 'better-sqlite3';

export function getMeta(db: Database.Database, name: string): string | undefined {
  return db.prepare<[string], { value: string }>('SELECT value FROM store_meta WHERE name = ?').get(name)?.value;
}

export function setMeta(db: Database.Database, name: string, value: string): void {
  db.prepare('INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
}

export function deleteMeta(db: Database.Database, name: string): void {
  db.prepare('DELETE FROM store_meta WHERE name = ?').run(name);
}

// PostgreSQL schema migrations, for several replicas sharing one database. Like the SQLite store's
// MIGRATIONS: an ordered list, index + 1 is the version, a released entry is never edited (add a
// new one). All pending entries apply in one transaction (PostgreSQL's DDL is transactional), so a
// replica dying half-way leaves the schema as it was, and under a transaction-scoped advisory lock,
// so replicas starting together apply each entry once: the second waits for the first to commit,
// then finds nothing left to do.
//
// Money is numeric, in currency units as the service and the API count them: exact decimal sums
// and comparisons in SQL, no unit conversion to get wrong at the boundary, readable as-is by
// whoever queries the ledger. Migration 1 declared numeric(15,2) for the standalone ledger's
// two-decimal rule (exposure-ledger.ts, which still enforces it); migration 4 dropped the scale
// because the service books whatever amount the application schema accepts.
import type { Pool, PoolClient } from 'pg';

export const MIGRATIONS: readonly string[] = [
  // 1: the exposure ledger. region_exposure.reserved is the running total of the live reservations,
  // kept in the same transaction as each reservation and release: the one row a reservation has to
  // lock or read, where summing the reservations would scan a region's every live approval.
  // fillfactor leaves room on each page for HOT updates: the hot row is rewritten on every booking,
  // and a HOT update touches no index (fewer writes, and no index-page conflicts for serializable
  // readers of other regions).
  `CREATE TABLE region_exposure (
     region text PRIMARY KEY,
     limit_amount numeric(15,2) NOT NULL CHECK (limit_amount >= 0),
     reserved numeric(15,2) NOT NULL DEFAULT 0 CHECK (reserved >= 0)
   ) WITH (fillfactor = 50);
   CREATE TABLE exposure_reservations (
     decision_id text PRIMARY KEY,
     region text NOT NULL REFERENCES region_exposure (region),
     product text NOT NULL,
     amount numeric(15,2) NOT NULL CHECK (amount > 0),
     pd double precision,
     reserved_at bigint NOT NULL,
     expires_at bigint,
     released_at bigint
   );
   CREATE INDEX exposure_live_by_region ON exposure_reservations (region) INCLUDE (amount) WHERE released_at IS NULL;
   CREATE INDEX exposure_live_by_expiry ON exposure_reservations (expires_at) WHERE released_at IS NULL;`,
  // 2: the decision change stream (decision-stream.ts): one row per committed decision, written in
  // the decision's own transaction, read by every replica in seq order. committed_at is epoch
  // milliseconds by the database's clock at publication (one clock for every replica).
  `CREATE TABLE decision_events (
     seq bigserial PRIMARY KEY,
     decision_id text UNIQUE NOT NULL,
     committed_at bigint NOT NULL,
     payload jsonb NOT NULL
   );`,
  // 3: decisions shared by replicas (decisions.ts). application_id is UNIQUE: the same application
  // reaching two replicas at once is stored once (the second insert waits on the first's unique
  // entry and finds it). The record is the SQLite store's compressed lean record, byte for byte.
  `CREATE TABLE decisions (
     decision_id text PRIMARY KEY,
     application_id text UNIQUE NOT NULL,
     request_fingerprint text NOT NULL,
     product text NOT NULL,
     region text NOT NULL,
     outcome text NOT NULL,
     rules_version text NOT NULL,
     decided_at bigint NOT NULL,
     record bytea NOT NULL,
     status text NOT NULL,
     current_outcome text,
     fraud_evidence boolean NOT NULL,
     source text NOT NULL,
     caller text,
     approval_level text
   );
   CREATE INDEX decisions_decided_at ON decisions (decided_at);
   CREATE TABLE application_identifiers (
     application_id text NOT NULL REFERENCES decisions (application_id) ON DELETE CASCADE,
     type text NOT NULL,
     hash text NOT NULL,
     masked text NOT NULL,
     decided_at bigint NOT NULL,
     PRIMARY KEY (application_id, type)
   );
   CREATE INDEX application_identifiers_by_hash ON application_identifiers (type, hash, decided_at);`,
  // 4: the service's own bookings (decision-commit.ts). Its limits come from the rules' regions
  // table and may depend on the region's exposure (a computed limit follows its PD-weighted bad
  // rate, product sub-limits its split), so the check runs in the service against the region
  // row's running totals, read under that row's lock: the row carries every total the check
  // needs. The service books what the API accepted, so its amounts are numeric without a scale
  // (exact for any decimal the application schema lets through); a region the service books into
  // needs no limit row of its own (limit_amount is for PgExposureLedger's SQL-side check).
  `ALTER TABLE region_exposure
     ALTER COLUMN limit_amount DROP NOT NULL,
     ALTER COLUMN reserved TYPE numeric,
     ADD COLUMN by_product jsonb NOT NULL DEFAULT '{}',
     ADD COLUMN pd_weighted double precision NOT NULL DEFAULT 0,
     ADD COLUMN pd_amount numeric NOT NULL DEFAULT 0,
     ADD COLUMN approvals integer NOT NULL DEFAULT 0;
   ALTER TABLE exposure_reservations ALTER COLUMN amount TYPE numeric;`,
  // 5: what replicas must agree on before they may share the database: the identifier key's
  // fingerprint (replicas hashing with different keys would never link each other's applicants).
  `CREATE TABLE replica_settings (name text PRIMARY KEY, value text NOT NULL);`,
  // 6: decisions change after their answer (decision-change.ts): their history, the reason a
  // reservation was released, and change events on the stream beside the decided ones. An event's
  // key (the decision id for a decided event, as before) makes publishing it twice one event.
  `ALTER TABLE decision_events ADD COLUMN event_key text;
   UPDATE decision_events SET event_key = decision_id;
   ALTER TABLE decision_events
     ALTER COLUMN event_key SET NOT NULL,
     ADD CONSTRAINT decision_events_event_key_key UNIQUE (event_key),
     DROP CONSTRAINT decision_events_decision_id_key;
   CREATE INDEX decision_events_by_decision ON decision_events (decision_id);
   CREATE TABLE decision_history (
     decision_id text NOT NULL REFERENCES decisions (decision_id) ON DELETE CASCADE,
     at bigint NOT NULL,
     type text NOT NULL,
     detail jsonb NOT NULL,
     PRIMARY KEY (decision_id, at, type)
   );
   ALTER TABLE exposure_reservations ADD COLUMN release_reason text;`,
  // 7: investigators' labels shared by replicas (labels.ts), as the embedded store keeps them
  // (graph-store.ts): append-only, the latest in force, a fraud label cleared by two people. Their
  // stream events name no decision.
  `ALTER TABLE decision_events ALTER COLUMN decision_id DROP NOT NULL;
   CREATE TABLE application_labels (
     label_id bigserial PRIMARY KEY,
     application_id text NOT NULL,
     label text NOT NULL CHECK (label IN ('fraud', 'legit')),
     labelled_by text NOT NULL,
     note text,
     labelled_at bigint NOT NULL,
     confirmed_by text
   );
   CREATE INDEX application_labels_by_application ON application_labels (application_id, label_id);
   CREATE TABLE label_clearance_requests (
     application_id text PRIMARY KEY,
     requested_by text NOT NULL,
     note text,
     requested_at bigint NOT NULL
   );`,
  // 8: clusterings published by the replica holding the recluster lease, by generation, for every
  // replica to load (clusterings.ts); the latest few are kept.
  `CREATE TABLE clusterings (
     generation bigint PRIMARY KEY,
     computed_at bigint NOT NULL,
     published_at timestamptz NOT NULL DEFAULT now(),
     payload bytea NOT NULL
   );`,
  // 9: how approved loans turned out, reported by lenders (decision-change.ts), as the embedded
  // store keeps them: one row per decision, moved forward by later reports.
  `CREATE TABLE loan_outcomes (
     decision_id text PRIMARY KEY REFERENCES decisions (decision_id) ON DELETE CASCADE,
     status text NOT NULL,
     at bigint NOT NULL,
     grade text,
     pd double precision,
     recorded_by text NOT NULL,
     recorded_at bigint NOT NULL
   );`,
  // 10: retention shared by replicas (retention.ts): where each pass carries on, and the label
  // events of an application, found by it when its decision is purged.
  `CREATE TABLE retention_marks (
     pass text PRIMARY KEY,
     decided_at bigint NOT NULL,
     decision_id text NOT NULL
   );
   CREATE INDEX decision_events_labelled_application
     ON decision_events ((COALESCE(payload->'outcome'->'record'->>'applicationId', payload->'outcome'->'request'->>'applicationId')))
     WHERE payload->>'kind' = 'labelled';`,
];

/**
 * Any constant works as long as every replica uses the same one and nothing else in the database
 * takes it: the ASCII of "decmigr". Database-wide, so migrations of different schemas in one
 * database (the tests' schemas) queue too; they take milliseconds.
 */
export const MIGRATION_LOCK = 0x646563_6d696772n;

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Brings the schema (the connection's search_path, or `schema`, created if missing) to the latest
 * version. Returns the version before and after. A database newer than this code (a replica of
 * the previous release during a rolling deploy) is left alone: migrations only add.
 */
export async function migrate(pool: Pool, schema?: string): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const versions = await migrateIn(client, schema);
      await client.query('COMMIT');
      return versions;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

async function migrateIn(client: PoolClient, schema: string | undefined): Promise<{ from: number; to: number }> {
  await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
  if (schema !== undefined) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
  }
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  const from = rows[0]?.version ?? 0;
  for (let v = from; v < MIGRATIONS.length; v++) {
    await client.query(MIGRATIONS[v] as string);
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
  }
  return { from, to: Math.max(from, MIGRATIONS.length) };
}

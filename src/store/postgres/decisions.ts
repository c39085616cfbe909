// Decisions shared by replicas on PostgreSQL: the shared adapter of DecisionCommitter
// (../decision-commit.ts). A decision, its identifier rows, the exposure it books and its
// change-stream event commit in one transaction, so every replica that follows the stream sees
// exactly the decisions that were stored, and an acknowledged decision is stored, booked and
// streamed. The same application reaching two replicas at once is stored once: application_id is
// unique, and the second insert finds the first's row and answers with it.
//
// The exposure a plan is settled against is the region row's running totals, read with the row's
// lock (an upsert that creates the row the first time), held to the commit: approvals of one
// region across every replica queue on that row for the length of one short transaction; other
// regions never wait. Measured against serializable transactions with retry by
// `npm run bench:pg-ledger` (the row lock held about twice the throughput, with no retries).
import type { Pool, PoolClient } from 'pg';
import { withReservation } from '../../limits/exposure-book';
import { NO_EXPOSURE, type RegionExposure } from '../../limits/regions';
import type { DecisionRow, DecisionStatus, Reservation, StoredDecision } from '../audit-store';
import type { CommitOutcome, CommitPlan, CommitRequest, DecisionCommitter } from '../decision-commit';
import { decodeStoredDocument, encodeStoredDocument } from '../decision-writer';
import { decidedPayload, decisionEventOf, NOTIFY_PUBLISHED, publishCtes, type DecisionCopy, type DecisionEvent } from './decision-stream';

export interface PgDecisionCommitterOptions {
  /**
   * statement_timeout and idle_in_transaction_session_timeout of each commit (SET LOCAL): a commit
   * stuck behind a lock fails within this time rather than holding a decision, and a replica that
   * stalls between statements loses its transaction (and the region's lock) rather than holding
   * every other replica's approvals of that region. Default 5,000 ms.
   */
  readonly statementTimeoutMs?: number;
  /** The most decisions of one region one transaction commits. Default 64. */
  readonly maxBatch?: number;
}

/**
 * The SET list that adds a booking to (or takes a release from) a region row's running totals:
 * one definition of what the totals are, for the commit, the sign-off and the release.
 */
export function moveTotals(sign: '+' | '-', amount: string, product: string, pd: string): string {
  return `reserved = reserved ${sign} ${amount},
      by_product = jsonb_set(by_product, ARRAY[${product}], to_jsonb(COALESCE((by_product ->> ${product})::numeric, 0) ${sign} ${amount})),
      pd_weighted = pd_weighted ${sign} CASE WHEN ${pd} IS NULL THEN 0 ELSE ${amount}::float8 * ${pd} END,
      pd_amount = pd_amount ${sign} CASE WHEN ${pd} IS NULL THEN 0 ELSE ${amount} END,
      approvals = approvals ${sign} 1`;
}

// The decision, its identifiers, its booking and its stream event in one statement (one round trip
// while the region's lock is held): each part after the decision's row writes only where that row
// was inserted, so an application stored already leaves nothing but the answer "not stored". A
// booking ($15 not null) also adds to the region row's running totals (locked by LOCK_REGION
// earlier in the transaction).
const WRITE_DECISION = `
  WITH d AS (
    INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, record, status, fraud_evidence, source, caller, approval_level)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
    ON CONFLICT (application_id) DO NOTHING RETURNING application_id, decided_at
  ), identifiers AS (
    INSERT INTO application_identifiers (application_id, type, hash, masked, decided_at)
    SELECT d.application_id, i.type, i.hash, i.masked, d.decided_at FROM d, jsonb_to_recordset($21::jsonb) AS i (type text, hash text, masked text)
  ), booking AS (
    INSERT INTO exposure_reservations (decision_id, region, product, amount, pd, reserved_at, expires_at)
    SELECT $16, $17, $18, $15::numeric, $19::float8, $20, $22 FROM d WHERE $15::numeric IS NOT NULL
  ), totals AS (
    UPDATE region_exposure SET ${moveTotals('+', '$15::numeric', '$18::text', '$19::float8')}
    WHERE region = $17 AND $15::numeric IS NOT NULL AND EXISTS (SELECT 1 FROM d)
  ), ${publishCtes({ decisionId: '$1', payload: '$23', key: '$1' }, 'd')}
  SELECT (SELECT count(*) FROM d)::int AS stored, ${NOTIFY_PUBLISHED}`;

// Takes the region row's lock (creating the row the first time) and returns its totals.
export const LOCK_REGION = `INSERT INTO region_exposure (region) VALUES ($1)
  ON CONFLICT (region) DO UPDATE SET region = excluded.region
  RETURNING reserved::text AS reserved, by_product, pd_weighted, pd_amount::text AS pd_amount, approvals`;

export const DECISION_COLUMNS = `d.decision_id, d.application_id, d.request_fingerprint, d.product, d.region, d.outcome, d.rules_version,
  d.decided_at::text AS decided_at, d.record, d.status, d.current_outcome, d.fraud_evidence, d.source, d.caller, d.approval_level`;

export interface DecisionRecordRow {
  readonly decision_id: string;
  readonly application_id: string;
  readonly request_fingerprint: string;
  readonly product: string;
  readonly region: string;
  readonly outcome: string;
  readonly rules_version: string;
  readonly decided_at: string;
  readonly record: Buffer;
  readonly status: DecisionStatus;
  readonly current_outcome: string | null;
  readonly fraud_evidence: boolean;
  readonly source: DecisionRow['source'];
  readonly caller: string | null;
  readonly approval_level: string | null;
}

export function storedOf(r: DecisionRecordRow, identifiers: StoredDecision['identifiers'] = []): StoredDecision {
  return {
    decisionId: r.decision_id,
    applicationId: r.application_id,
    requestFingerprint: r.request_fingerprint,
    product: r.product,
    region: r.region,
    outcome: r.outcome,
    rulesVersion: r.rules_version,
    decidedAt: Number(r.decided_at),
    identifiers,
    document: JSON.parse(decodeStoredDocument({ document: '', record: r.record })) as unknown,
    status: r.status,
    currentOutcome: r.current_outcome ?? r.outcome,
    fraudEvidence: r.fraud_evidence,
    source: r.source,
    caller: r.caller,
    approvalLevel: r.approval_level,
  };
}

/** numeric arrives as text (pg keeps its precision); a JavaScript number is what the limit checks compute with. */
export function exposureOf(row: { reserved: string; by_product: Record<string, number | string>; pd_weighted: number; pd_amount: string; approvals: number }): RegionExposure {
  return {
    reserved: Number(row.reserved),
    byProduct: Object.fromEntries(Object.entries(row.by_product).map(([p, v]) => [p, Number(v)])),
    pdWeighted: Number(row.pd_weighted),
    pdAmount: Number(row.pd_amount),
    approvals: Number(row.approvals),
  };
}

/** A reservation row as read (numeric and bigint columns as text). */
export interface ReservationRecord {
  readonly decision_id: string;
  readonly region: string;
  readonly product: string;
  readonly amount: string;
  readonly pd: number | null;
  readonly reserved_at: string;
  readonly expires_at: string | null;
}

export function reservationOfRecord(r: ReservationRecord): Reservation {
  return { decisionId: r.decision_id, region: r.region, product: r.product, amount: Number(r.amount), pd: r.pd, reservedAt: Number(r.reserved_at), expiresAt: Number(r.expires_at) };
}

/** A decision as the stream's followers store it: the row, its status, identifiers and live reservation. */
export interface ReplicatedDecision {
  readonly row: StoredDecision;
  readonly status: DecisionStatus;
  readonly reservation?: Reservation;
}

/**
 * Runs `work` in a transaction with the decision path's timeouts (SET LOCAL, so they never leak
 * into other users of the pool): a statement stuck behind a lock fails within the time, and a
 * replica that stalls between statements loses its transaction (and its locks) rather than
 * holding every other replica's. Commits where `keep` says so, rolls back otherwise and on error.
 */
export async function inTransaction<T>(pool: Pool, timeoutMs: number, work: (client: PoolClient) => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection lost between two statements is reported as an 'error' event (no query to
  // reject), which with no listener would end the process; the next statement fails instead.
  const lost = (err: Error) => (broken = err);
  client.on('error', lost);
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}`);
    try {
      const value = await work(client);
      await client.query(keep(value) ? 'COMMIT' : 'ROLLBACK');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))));
      throw err;
    }
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

/** What replicas need to copy the decision from its stream event alone (no read per event). */
function copyOf({ row, status, reservation }: CommitPlan, record: Buffer): DecisionCopy {
  return {
    requestFingerprint: row.requestFingerprint,
    rulesVersion: row.rulesVersion,
    status,
    fraudEvidence: row.fraudEvidence,
    source: row.source,
    caller: row.caller ?? null,
    approvalLevel: row.approvalLevel ?? null,
    masks: Object.fromEntries(row.identifiers.map((i) => [i.type, i.masked])),
    record: record.toString('base64'),
    reservation: reservation ?? null,
  };
}

/** The decision a stream event carries (with its copy), as a replica stores it. */
export function replicatedOf(event: DecisionEvent & { readonly copy: DecisionCopy }): ReplicatedDecision {
  const { copy } = event;
  const documentJson = decodeStoredDocument({ document: '', record: Buffer.from(copy.record, 'base64') });
  const row: StoredDecision = {
    decisionId: event.decisionId,
    applicationId: event.applicationId,
    requestFingerprint: copy.requestFingerprint,
    product: event.product,
    region: event.region,
    outcome: event.outcome,
    rulesVersion: copy.rulesVersion,
    decidedAt: event.decidedAt,
    identifiers: event.identifiers.map((i) => ({ type: i.type, hash: i.hash, masked: copy.masks[i.type] ?? '' })),
    document: undefined,
    documentJson,
    status: copy.status,
    currentOutcome: event.outcome,
    fraudEvidence: copy.fraudEvidence,
    source: copy.source,
    caller: copy.caller,
    approvalLevel: copy.approvalLevel,
  };
  return { row, status: copy.status, ...(copy.reservation ? { reservation: copy.reservation } : {}) };
}

/** The queue of commits that read no region's exposure. */
const NO_REGION = '';

interface Pending {
  readonly request: CommitRequest<CommitPlan>;
  readonly resolve: (outcome: CommitOutcome<CommitPlan>) => void;
  readonly reject: (err: unknown) => void;
}

/** The request's plan, checked against what it asked for. */
function planned(request: CommitRequest<CommitPlan>, exposure: RegionExposure): CommitPlan {
  const plan = request.plan(exposure);
  if (plan.row.applicationId !== request.applicationId) throw new Error(`decision commit: the plan is for ${plan.row.applicationId}, not ${request.applicationId}`);
  if (plan.reservation && plan.reservation.region !== request.exposureRegion) throw new Error(`decision commit: a reservation in ${plan.reservation.region} without that region's exposure read`);
  return plan;
}

export class PgDecisionCommitter implements DecisionCommitter {
  /** Transactions committed, and the decisions they stored (decisions per commit = the batching). */
  readonly stats = { commits: 0, decisions: 0 };
  private readonly statementTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly queues = new Map<string, Pending[]>();
  private readonly draining = new Set<string>();

  constructor(
    private readonly pool: Pool,
    options: PgDecisionCommitterOptions = {},
  ) {
    this.statementTimeoutMs = Math.trunc(options.statementTimeoutMs ?? 5_000);
    this.maxBatch = Math.max(1, Math.trunc(options.maxBatch ?? 64));
    if (!(this.statementTimeoutMs > 0)) throw new RangeError('statementTimeoutMs must be a positive number of milliseconds');
  }

  async findByApplicationId(applicationId: string): Promise<StoredDecision | undefined> {
    const { rows } = await this.pool.query<DecisionRecordRow>(`SELECT ${DECISION_COLUMNS} FROM decisions d WHERE d.application_id = $1`, [applicationId]);
    return rows[0] && storedOf(rows[0]);
  }

  /** The decision with its identifiers and live reservation, as a replica that did not make it stores it (read on `pool`). */
  async replicated(decisionId: string, pool: Pool = this.pool): Promise<ReplicatedDecision | undefined> {
    const { rows } = await pool.query<
      DecisionRecordRow & { identifiers: { type: string; hash: string; masked: string }[]; r_product: string | null; amount: string | null; pd: number | null; reserved_at: string | null; expires_at: string | null }
    >(
      `SELECT ${DECISION_COLUMNS},
              COALESCE((SELECT jsonb_agg(jsonb_build_object('type', i.type, 'hash', i.hash, 'masked', i.masked) ORDER BY i.type)
                          FROM application_identifiers i WHERE i.application_id = d.application_id), '[]') AS identifiers,
              r.product AS r_product, r.amount::text AS amount, r.pd, r.reserved_at::text AS reserved_at, r.expires_at::text AS expires_at
         FROM decisions d LEFT JOIN exposure_reservations r ON r.decision_id = d.decision_id AND r.released_at IS NULL
        WHERE d.decision_id = $1`,
      [decisionId],
    );
    const r = rows[0];
    if (!r) return undefined;
    const row = storedOf(r, r.identifiers);
    const reservation =
      r.amount === null || r.r_product === null || r.reserved_at === null
        ? undefined
        : reservationOfRecord({ decision_id: r.decision_id, region: r.region, product: r.r_product, amount: r.amount, pd: r.pd, reserved_at: r.reserved_at, expires_at: r.expires_at });
    return { row, status: r.status, ...(reservation ? { reservation } : {}) };
  }

  /**
   * Commits the request with the others of its region queued meanwhile (group commit): one
   * transaction takes the region's lock once, settles each plan against the exposure the ones
   * before it in the batch left, and commits them with one WAL flush. Under load a region's
   * approvals queue on its row lock anyway; in batches, each holds it for one statement instead of
   * a transaction and a flush of its own (measured by `npm run bench:replicas`).
   */
  commit<P extends CommitPlan>(request: CommitRequest<P>): Promise<CommitOutcome<P>> {
    return new Promise<CommitOutcome<P>>((resolve, reject) => {
      const key = request.exposureRegion ?? NO_REGION;
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ request: request as CommitRequest<CommitPlan>, resolve: resolve as (o: CommitOutcome<CommitPlan>) => void, reject });
      if (!this.draining.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.draining.add(key);
    try {
      for (;;) {
        const queue = this.queues.get(key);
        if (!queue || queue.length === 0) break;
        const batch = queue.splice(0, this.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.draining.delete(key);
      this.queues.delete(key);
    }
  }

  /**
   * Stores decisions that book nothing (imported history) in one transaction, with `alsoIn` run in
   * it after them (their labels): all or nothing. Returns each one's outcome; where `keep` refuses
   * the outcomes (an application stored already with another body), nothing is written.
   */
  async commitAll(plans: readonly CommitPlan[], alsoIn: (client: PoolClient, stored: readonly CommitPlan[]) => Promise<void>, keep: (outcomes: readonly CommitOutcome<CommitPlan>[]) => void): Promise<CommitOutcome<CommitPlan>[]> {
    return inTransaction(this.pool, this.statementTimeoutMs, async (client) => {
      const outcomes: CommitOutcome<CommitPlan>[] = [];
      for (const plan of plans) {
        if (plan.reservation) throw new Error('decision commit: a batch stores decisions that book nothing');
        outcomes.push(await this.write(client, { applicationId: plan.row.applicationId, plan: () => plan }, plan));
      }
      keep(outcomes);
      await alsoIn(
        client,
        outcomes.flatMap((o) => (o.stored ? [o.plan] : [])),
      );
      this.stats.commits += 1;
      this.stats.decisions += outcomes.filter((o) => o.stored).length;
      return outcomes;
    });
  }

  private async commitBatch(batch: readonly Pending[]): Promise<void> {
    const region = batch[0]?.request.exposureRegion;
    const planFailures = new Map<Pending, unknown>();
    let outcomes: (CommitOutcome<CommitPlan> | undefined)[];
    try {
      outcomes = await inTransaction(this.pool, this.statementTimeoutMs, async (client) => {
        let exposure = region === undefined ? NO_EXPOSURE : exposureOf((await client.query(LOCK_REGION, [region])).rows[0]);
        const out: (CommitOutcome<CommitPlan> | undefined)[] = [];
        for (const item of batch) {
          let plan: CommitPlan;
          try {
            plan = planned(item.request, exposure);
          } catch (err) {
            // A plan that throws fails its own request only: nothing of it was written.
            planFailures.set(item, err);
            out.push(undefined);
            continue;
          }
          const outcome = await this.write(client, item.request, plan);
          if (outcome.stored && plan.reservation) exposure = withReservation(exposure, plan.reservation, 1);
          out.push(outcome);
        }
        return out;
      });
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    this.stats.commits += 1;
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome) {
        if (outcome.stored) this.stats.decisions += 1;
        item.resolve(outcome);
      } else item.reject(planFailures.get(item));
    });
  }

  private async write(client: PoolClient, request: CommitRequest<CommitPlan>, plan: CommitPlan): Promise<CommitOutcome<CommitPlan>> {
    const { row, status, reservation } = plan;
    const record = encodeStoredDocument(row.documentJson ?? JSON.stringify(row.document));
    const written = await client.query<{ stored: number }>(WRITE_DECISION, [
      row.decisionId,
      row.applicationId,
      row.requestFingerprint,
      row.product,
      row.region,
      row.outcome,
      row.rulesVersion,
      row.decidedAt,
      record,
      status,
      row.fraudEvidence,
      row.source,
      row.caller ?? null,
      row.approvalLevel ?? null,
      reservation ? String(reservation.amount) : null,
      reservation?.decisionId ?? null,
      reservation?.region ?? null,
      reservation?.product ?? null,
      reservation?.pd ?? null,
      reservation?.reservedAt ?? null,
      JSON.stringify(row.identifiers),
      reservation?.expiresAt ?? null,
      JSON.stringify({ ...decidedPayload(decisionEventOf(row, plan.clusterId)), copy: copyOf(plan, record) }),
    ]);
    if (written.rows[0]?.stored === 1) return { stored: true, plan };
    const { rows } = await client.query<DecisionRecordRow>(`SELECT ${DECISION_COLUMNS} FROM decisions d WHERE d.application_id = $1`, [request.applicationId]);
    // Deleted between the conflict and the read (retention): nothing holds it now; write it again.
    if (!rows[0]) return this.write(client, request, plan);
    return { stored: false, existing: storedOf(rows[0]) };
  }
}

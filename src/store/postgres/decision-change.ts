// The shared adapter of DecisionChanger (../decision-change.ts), for replicas on PostgreSQL. The
// decision's row is locked first (two replicas signing off the same decision queue on it, and the
// second finds it signed), then, for a sign-off that may approve, its region's row (the same lock
// a new approval takes, so a sign-off and a decision never both take the last room). The change,
// its history entry, its booking or release and its stream event commit in one transaction; the
// replicas' copies apply the event (replica.ts).
import type { Pool, PoolClient } from 'pg';
import { NO_EXPOSURE } from '../../limits/regions';
import type { LoanOutcomeRow, Reservation } from '../audit-store';
import type { ChangeRequest, DecisionChanger, Planned } from '../decision-change';
import { publishChange } from './decision-stream';
import { DECISION_COLUMNS, exposureOf, inTransaction, LOCK_REGION, moveTotals, reservationOfRecord, storedOf, type DecisionRecordRow, type ReservationRecord } from './decisions';

const LIVE_RESERVATION = `SELECT decision_id, region, product, amount::text AS amount, pd, reserved_at::text AS reserved_at, expires_at::text AS expires_at
  FROM exposure_reservations WHERE decision_id = $1 AND released_at IS NULL`;

const BOOK = `WITH placed AS (
    INSERT INTO exposure_reservations (decision_id, region, product, amount, pd, reserved_at, expires_at)
    VALUES ($1, $2, $3, $4::numeric, $5::float8, $6, $7)
  )
  UPDATE region_exposure SET ${moveTotals('+', '$4::numeric', '$3::text', '$5::float8')} WHERE region = $2`;

// Released once: a second release matches no row (released_at is set), so the totals move once.
const RELEASE = `WITH gone AS (
    UPDATE exposure_reservations SET released_at = $2, release_reason = $3
     WHERE decision_id = $1 AND released_at IS NULL
    RETURNING region, product, amount, pd
  )
  UPDATE region_exposure r SET ${moveTotals('-', 'gone.amount', 'gone.product', 'gone.pd')}
    FROM gone WHERE r.region = gone.region`;

const LOAN_OUTCOME = `SELECT decision_id, status, at::text AS at, grade, pd, recorded_by, recorded_at::text AS recorded_at FROM loan_outcomes WHERE decision_id = $1`;

// As the embedded store's: a later report replaces the status and time; grade and PD stay the first's.
const SET_LOAN_OUTCOME = `INSERT INTO loan_outcomes (decision_id, status, at, grade, pd, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (decision_id) DO UPDATE SET status = excluded.status, at = excluded.at, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`;

interface LoanOutcomeRecord {
  readonly decision_id: string;
  readonly status: string;
  readonly at: string;
  readonly grade: string | null;
  readonly pd: number | null;
  readonly recorded_by: string;
  readonly recorded_at: string;
}

const loanOutcomeOf = (r: LoanOutcomeRecord): LoanOutcomeRow => ({
  decisionId: r.decision_id,
  status: r.status,
  at: Number(r.at),
  grade: r.grade,
  pd: r.pd,
  recordedBy: r.recorded_by,
  recordedAt: Number(r.recorded_at),
});

export class PgDecisionChanger implements DecisionChanger {
  constructor(
    private readonly pool: Pool,
    private readonly statementTimeoutMs = 5_000,
  ) {}

  async change<R>(request: ChangeRequest<R>): Promise<Planned<R>> {
    return inTransaction(this.pool, this.statementTimeoutMs, (client) => this.changeIn(client, request));
  }

  async expiring(now: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ decision_id: string }>(
      'SELECT decision_id FROM exposure_reservations WHERE released_at IS NULL AND expires_at <= $1 ORDER BY expires_at',
      [now],
    );
    return rows.map((r) => r.decision_id);
  }

  private async changeIn<R>(client: PoolClient, request: ChangeRequest<R>): Promise<Planned<R>> {
    const { decisionId } = request;
    const found = await client.query<DecisionRecordRow>(`SELECT ${DECISION_COLUMNS} FROM decisions d WHERE d.decision_id = $1 FOR UPDATE`, [decisionId]);
    const decision = found.rows[0] && storedOf(found.rows[0]);
    const live = decision ? (await client.query<ReservationRecord>(LIVE_RESERVATION, [decisionId])).rows[0] : undefined;
    let exposure = NO_EXPOSURE;
    if (request.needsExposure && decision) exposure = exposureOf((await client.query(LOCK_REGION, [decision.region])).rows[0]);
    const outcome = decision ? (await client.query<LoanOutcomeRecord>(LOAN_OUTCOME, [decisionId])).rows[0] : undefined;
    const planned = request.plan({ decision, reservation: live && reservationOfRecord(live), exposure, loanOutcome: outcome && loanOutcomeOf(outcome) });
    const { change } = planned;
    if (!change) return planned;
    if (!decision) throw new Error(`decision change: ${decisionId} does not exist, and the plan did not refuse it`);
    const { event } = change;
    await client.query('UPDATE decisions SET status = $2, current_outcome = $3 WHERE decision_id = $1', [decisionId, change.status, change.currentOutcome]);
    await client.query('INSERT INTO decision_history (decision_id, at, type, detail) VALUES ($1, $2, $3, $4)', [decisionId, event.at, event.type, JSON.stringify(event.detail)]);
    if (change.reserve) {
      const r = change.reserve;
      if (r.region !== decision.region || !request.needsExposure) throw new Error(`decision change: a booking in ${r.region} without that region's exposure read`);
      await client.query(BOOK, [r.decisionId, r.region, r.product, String(r.amount), r.pd, r.reservedAt, r.expiresAt]);
    }
    if (change.release) await client.query(RELEASE, [decisionId, event.at, event.type]);
    if (change.loanOutcome) {
      const o = change.loanOutcome;
      await client.query(SET_LOAN_OUTCOME, [decisionId, o.status, o.at, o.grade, o.pd, o.recordedBy, o.recordedAt]);
    }
    await publishChange(client, decisionId, change);
    return planned;
  }
}

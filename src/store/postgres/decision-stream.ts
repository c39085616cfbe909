// The decision change stream on PostgreSQL: every replica's in-memory velocity index and fraud
// graph follow every decision committed by any replica (issue 16, item 4).
//
// Why LISTEN/NOTIFY plus a sequence, not NATS JetStream: one system fewer to run, secure and back
// up; the decision and its event commit in one transaction (publishDecision runs in the caller's),
// so there is no outbox to relay and no window where one exists without the other; and a replica
// that starts late or was disconnected catches up by reading the table from its last seq. NOTIFY
// is only a wake-up hint (delivered on commit, lost while a listener is disconnected); the table
// is the truth, and a poll every pollIntervalMs covers a missed hint. JetStream (or Kafka) is the
// answer at national scale, where one database's NOTIFY (PostgreSQL serialises the commits of
// notifying transactions) and a table every replica polls become the limit: see docs/scale.md.
//
// Ordering. seq (bigserial) is taken when the event row is inserted, not at commit, so concurrent
// transactions can commit out of seq order: a reader may see seq 7 while 6 is still in an open
// transaction, and 6 must not be skipped. Rolled-back transactions (and a server crash) leave seqs
// that are never filled. So a missing seq below a visible one (a hole) is either pending or
// abandoned, and the subscriber must know which before it delivers past it. It knows exactly,
// without timers, from transaction ids and snapshots:
//
//  1. publishDecision makes its transaction take an xid before it draws the seq (a materialised
//     CTE calling pg_current_xact_id(), evaluated before the row whose default draws the seq).
//  2. Every read returns the rows with seq > position, and the snapshot it read them under (one
//     statement, one snapshot). A hole h below a row r visible there: whichever transaction X
//     drew h had its xid before it drew h, h was drawn before r's seq, and r committed before the
//     read; so X's xid was assigned before the read.
//  3. On a new hole the subscriber takes a witness: a fresh snapshot W and an xid of its own, R
//     (in a throwaway transaction with synchronous_commit off: no fsync waited for), R being
//     greater than every xid assigned before it. The transactions that may still fill the hole
//     are among W's in-progress list (xip) and [W.xmax, R): a snapshot's xmax is the latest
//     *completed* xid + 1, so open transactions above it are not listed in xip at all.
//  4. It delivers past the hole once a later read's snapshot shows every one of those xids
//     finished (committed or aborted): a hole still missing then was rolled back (or its seq
//     lost to a crash). Exact, no timer involved.
//
// A rolled-back transaction thus holds delivery only until its ROLLBACK (seen by the next read,
// gapRecheckMs later at most), never for a grace period; a concurrent in-flight one until it commits. The
// cost: a hole also waits for unrelated write transactions that were open when it was seen (a
// long batch job in the same database). gapGraceMs bounds that wait; past it the hole is treated
// as abandoned and counted in stats.forcedGaps, and an event that then commits into it would not
// be delivered. Keep it well above any statement/idle-in-transaction timeout of the decision path.
//
// Rejected: serialising publication with an advisory transaction lock (seq order = commit order,
// no holes to reason about). PostgreSQL's NOTIFY already serialises notifying commits, but inside
// the server and for the commit alone; the lock would be held from the INSERT until the client's
// COMMIT arrives, so one stalled replica (a pause, a network lost between the two) would stop
// every replica's decisions, where here it holds only the stream, and only while its event may
// still commit.
//
// Delivery is strictly increasing by seq, each event once per subscriber run: onEvent is awaited
// in order and position advances after it returns. The subscriber persists nothing; the owner
// stores `position` where its in-memory state is rebuilt (or rebuilds from 0) and passes it to
// start(). A handler that throws is retried from the same event after a backoff.
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DecisionRow, DecisionStatus, Reservation } from '../audit-store';
import type { DecisionChange } from '../decision-change';
import type { LabelOutcome } from '../graph-store';
import type { RetentionPass } from '../retention-target';

/** What a replica needs from a committed decision to update its velocity index and graph. Hashes only, never raw identifiers. */
export interface DecisionEvent {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly product: string;
  readonly region: string;
  readonly outcome: string;
  /** Epoch milliseconds. */
  readonly decidedAt: number;
  readonly identifiers: readonly { readonly type: string; readonly hash: string }[];
  readonly clusterId: string | null;
  /** The rest of the row as it was committed, for replicas' copies (absent: they read it from the decisions table). */
  readonly copy?: DecisionCopy;
}

/** A committed decision's row beyond the event's fields: masks only, never a raw identifier. */
export interface DecisionCopy {
  readonly requestFingerprint: string;
  readonly rulesVersion: string;
  readonly status: DecisionStatus;
  readonly fraudEvidence: boolean;
  readonly source: DecisionRow['source'];
  readonly caller: string | null;
  readonly approvalLevel: string | null;
  readonly masks: Readonly<Record<string, string>>;
  /** The compressed lean record (decision-writer.ts's codec), base64. */
  readonly record: string;
  readonly reservation: Reservation | null;
}

/** A stored decision changed (a sign-off, a cancel, an expiry): what a replica's copy applies. */
export interface DecisionChangedEvent {
  readonly kind: 'changed';
  readonly decisionId: string;
  readonly change: DecisionChange;
}

/** An investigator's label (or a fraud label's clearance request) recorded on the shared database. */
export interface LabelledEvent {
  readonly kind: 'labelled';
  readonly outcome: LabelOutcome;
}

/** A clustering the lease holder published (clusterings.ts), and an investigator's request for one. */
export type ClusteringEvent = { readonly kind: 'clustered'; readonly generation: number } | { readonly kind: 'recluster_requested' };

/** Retention forgot these decisions' identifiers, or the decisions (retention.ts): every local copy does the same. */
export interface PurgedEvent {
  readonly kind: 'purged';
  readonly pass: RetentionPass;
  readonly subjects: readonly { readonly decisionId: string; readonly applicationId: string }[];
}

/** What the stream carries: decided events (written before kinds existed, so without one), changes, labels, clusterings and purges. */
export type StreamEvent = (DecisionEvent & { readonly kind?: 'decided' }) | DecisionChangedEvent | LabelledEvent | ClusteringEvent | PurgedEvent;

export interface StreamedDecision {
  readonly seq: number;
  /** Epoch milliseconds, the database's clock when the event was written (just before its commit). */
  readonly committedAt: number;
  readonly event: StreamEvent;
}

export const DECISION_CHANNEL = 'decision_events';

/** The stream's event for a committed decision row (identifiers reduced to type and hash). */
export function decisionEventOf(row: DecisionRow, clusterId: string | null | undefined): DecisionEvent {
  return {
    decisionId: row.decisionId,
    applicationId: row.applicationId,
    product: row.product,
    region: row.region,
    outcome: row.outcome,
    decidedAt: row.decidedAt,
    identifiers: row.identifiers.map(({ type, hash }) => ({ type, hash })),
    clusterId: clusterId ?? null,
  };
}

/**
 * The CTEs that publish one event, for embedding in a statement that writes more (a decision's
 * commit publishes in the statement that inserts it): `publish_tx` takes the transaction's xid
 * (materialised) before `published`'s row draws its seq from the column's default, since the
 * INSERT's input row is the CTE's. `onlyIf` names a CTE that must have returned a row for the
 * event to be written (the decision's insert). ON CONFLICT: an event published twice (a retried
 * transaction) is one event; its second seq is a hole, resolved like a rollback's. The statement
 * must end with NOTIFY_PUBLISHED among its outputs.
 */
export function publishCtes(params: { readonly decisionId: string; readonly payload: string; readonly key: string }, onlyIf?: string): string {
  return `publish_tx AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
       published AS (
         INSERT INTO decision_events (decision_id, event_key, committed_at, payload)
         SELECT ${params.decisionId}, ${params.key}, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, ${params.payload}::jsonb FROM publish_tx${onlyIf ? `, (SELECT 1 FROM ${onlyIf} LIMIT 1) AS only_if` : ''}
         ON CONFLICT (event_key) DO NOTHING
         RETURNING seq)`;
}

/** The published event's seq (null where it was published already), and its notification, queued for the commit. */
export const NOTIFY_PUBLISHED = `(SELECT max(seq)::text FROM published) AS seq, (SELECT count(pg_notify('${DECISION_CHANNEL}', seq::text)) FROM published) AS notified`;

const PUBLISH = `WITH ${publishCtes({ decisionId: '$1', payload: '$2', key: '$3' })} SELECT ${NOTIFY_PUBLISHED}`;

/** A decided event's payload as published: identifiers reduced to type and hash. */
export function decidedPayload(event: DecisionEvent): DecisionEvent {
  return { ...event, identifiers: event.identifiers.map(({ type, hash }) => ({ type, hash })) };
}

/**
 * Writes the event in the caller's transaction (`client` must be inside BEGIN … COMMIT, ideally as
 * its last statement) and queues the notification, which PostgreSQL sends only if it commits.
 * Returns the event's seq, or null where this decision was published already.
 */
export async function publishDecision(client: PoolClient, event: DecisionEvent): Promise<number | null> {
  return publish(client, event.decisionId, event.decisionId, decidedPayload(event));
}

/** A change's event key: a change published twice (a retried transaction) is one event. */
export const changeEventKey = (decisionId: string, change: DecisionChange): string => `${decisionId}/${change.event.type}/${change.event.at}`;

/** Publishes a change of a stored decision, in the change's transaction (as publishDecision). */
export async function publishChange(client: PoolClient, decisionId: string, change: DecisionChange): Promise<number | null> {
  const payload: DecisionChangedEvent = { kind: 'changed', decisionId, change };
  return publish(client, decisionId, changeEventKey(decisionId, change), payload);
}

/** A label's event key: the shared label id, or the clearance request's application and time. */
export const labelEventKey = (outcome: LabelOutcome): string =>
  outcome.kind === 'labelled' ? `label/${outcome.record.labelId}` : `clearance/${outcome.request.applicationId}/${outcome.request.requestedAt}`;

/** Publishes a label, in the transaction that records it (as publishDecision). Labels name no decision. */
export async function publishLabel(client: PoolClient, outcome: LabelOutcome): Promise<number | null> {
  return publish(client, null, labelEventKey(outcome), { kind: 'labelled', outcome });
}

/** Publishes an event that names no one decision (a clustering, a request, a purge), in the caller's transaction. */
export async function publishEvent(client: PoolClient, key: string, payload: ClusteringEvent | PurgedEvent): Promise<number | null> {
  return publish(client, null, key, payload);
}

async function publish(client: PoolClient, decisionId: string | null, key: string, payload: StreamEvent): Promise<number | null> {
  const { rows } = await client.query<{ seq: string | null }>(PUBLISH, [decisionId, JSON.stringify(payload), key]);
  return rows[0]?.seq ? Number(rows[0].seq) : null;
}

// One statement, one snapshot: the rows after `position` and the snapshot they were read under.
const READ = `
  SELECT s.snapshot, e.seq::text AS seq, e.committed_at::text AS committed_at, e.payload
    FROM (SELECT pg_current_snapshot()::text AS snapshot) s
    LEFT JOIN LATERAL (SELECT seq, committed_at, payload FROM decision_events WHERE seq > $1 ORDER BY seq LIMIT $2) e ON true
   ORDER BY e.seq`;

// A snapshot and an xid greater than every one assigned before it (its own: assigning one is the
// only way to learn the next xid), in a transaction that commits without waiting for an fsync.
const WITNESS = `BEGIN; SET LOCAL synchronous_commit TO off;
  SELECT pg_current_snapshot()::text AS snapshot, pg_current_xact_id()::text AS xid; COMMIT`;

interface Snapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xip: ReadonlySet<bigint>;
}

function parseSnapshot(text: string): Snapshot {
  const [xmin = '0', xmax = '0', xip = ''] = text.split(':');
  return { xmin: BigInt(xmin), xmax: BigInt(xmax), xip: new Set(xip ? xip.split(',').map(BigInt) : []) };
}

/** Whether transaction `xid` had finished (committed or aborted) when `s` was taken. */
const finishedIn = (xid: bigint, s: Snapshot): boolean => xid < s.xmin || (xid < s.xmax && !s.xip.has(xid));

/** Holes below `below` are resolved once every transaction in `xids` has finished. */
interface Witness {
  readonly below: number;
  readonly xids: readonly bigint[];
  readonly since: number;
}

export interface DecisionStreamOptions {
  /** Called for each event, in seq order, awaited before the next. */
  readonly onEvent: (event: StreamedDecision) => void | Promise<void>;
  /** Connection failures, handler failures, forced holes; the subscriber carries on. Default: ignored. */
  readonly onError?: (err: Error) => void;
  /** Safety-net read when no notification came. Default 1,000 ms. */
  readonly pollIntervalMs?: number;
  /** Re-read interval while a hole is pending (its transaction may end without a notification: a rollback). Default 25 ms. */
  readonly gapRecheckMs?: number;
  /** How long a hole may wait on open transactions before it is treated as abandoned (see the header). Default 10,000 ms. */
  readonly gapGraceMs?: number;
  /** Reconnect backoff: uniform in [base/2, min(cap, base·2^n)] ms. Defaults 100 and 5,000. */
  readonly reconnectBaseMs?: number;
  readonly reconnectCapMs?: number;
  /** Rows per read. Default 1,000. */
  readonly batchSize?: number;
}

export interface DecisionStreamStats {
  delivered: number;
  reads: number;
  notifications: number;
  /** Connections after the first. */
  reconnects: number;
  /** Holes passed as abandoned because their snapshot's transactions had all finished. */
  abandonedGaps: number;
  /** Holes passed after gapGraceMs with transactions still open (should stay 0). */
  forcedGaps: number;
}

/**
 * Follows decision_events from a position: one dedicated connection (LISTEN and reads), taken from
 * `pool` for the subscriber's lifetime and replaced, with backoff, when it fails.
 */
export class DecisionStreamSubscriber {
  readonly stats: DecisionStreamStats = { delivered: 0, reads: 0, notifications: 0, reconnects: 0, abandonedGaps: 0, forcedGaps: 0 };
  private pos = 0;
  private client: PoolClient | null = null;
  private pid: number | null = null;
  private witness: Witness | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private dirty = false;
  private wake: (() => void) | null = null;
  private readonly o: Required<Omit<DecisionStreamOptions, 'onError'>> & { onError: (err: Error) => void };

  constructor(
    private readonly pool: Pool,
    options: DecisionStreamOptions,
  ) {
    this.o = {
      pollIntervalMs: 1000,
      gapRecheckMs: 25,
      gapGraceMs: 10_000,
      reconnectBaseMs: 100,
      reconnectCapMs: 5000,
      batchSize: 1000,
      onError: () => undefined,
      ...options,
    };
  }

  /** The last delivered seq (0: none). */
  get position(): number {
    return this.pos;
  }

  /** The backend pid of the current connection, null between connections. */
  get backendPid(): number | null {
    return this.pid;
  }

  /** Starts following after `fromSeq`; resolves once listening (the first catch-up read then runs on its own). */
  start(fromSeq = 0): Promise<void> {
    if (this.running) throw new Error('decision stream: already started');
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new RangeError(`decision stream: bad position ${fromSeq}`);
    this.pos = fromSeq;
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    this.running = this.run(listening);
    return Promise.race([ready, this.running]);
  }

  /** Stops after the event being handled, if any; releases the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.running;
  }

  private poke(): void {
    this.dirty = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Until `ms` passes or poke(). */
  private pause(ms: number): Promise<void> {
    if (this.dirty || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(listening: () => void): Promise<void> {
    let failures = 0;
    let connections = 0;
    while (!this.stopped) {
      let client: PoolClient | null = null;
      let broken: Error | undefined;
      try {
        client = await this.pool.connect();
        await this.listen(client);
        if (connections++ > 0) this.stats.reconnects += 1;
        listening();
        failures = 0;
        this.dirty = true; // catch up from position first
        while (!this.stopped) {
          if (!this.dirty) await this.pause(this.witness ? this.o.gapRecheckMs : this.o.pollIntervalMs);
          if (this.stopped) break;
          this.dirty = false;
          await this.drain();
        }
      } catch (err) {
        broken = err instanceof Error ? err : new Error(String(err));
        if (!this.stopped) this.o.onError(broken);
      }
      this.client = null;
      this.pid = null;
      if (client) await this.release(client, broken);
      if (this.stopped) break;
      const cap = Math.min(this.o.reconnectCapMs, this.o.reconnectBaseMs * 2 ** failures++);
      this.dirty = false; // a notification or the loss itself is no reason to skip the backoff
      await this.pause(cap / 2 + (Math.random() * cap) / 2);
    }
  }

  private async listen(client: PoolClient): Promise<void> {
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.o.onError(err ?? new Error('decision stream: connection ended'));
      this.client = null; // the loop's next read fails: reconnect
      this.poke();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (msg) => {
      if (msg.channel !== DECISION_CHANNEL) return;
      this.stats.notifications += 1;
      if (msg.payload === undefined || Number(msg.payload) > this.pos) this.poke();
    });
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await client.query(`LISTEN ${DECISION_CHANNEL}`);
    this.client = client;
    this.pid = rows[0]?.pid ?? null;
    // A hole's witness stays valid across connections: it speaks of transactions, not sessions.
  }

  /** A failed connection is destroyed; a healthy one (stop()) goes back to the pool UNLISTENed. */
  private async release(client: PoolClient, err: Error | undefined): Promise<void> {
    client.removeAllListeners('notification');
    if (!err) {
      try {
        await client.query('UNLISTEN *');
      } catch (e) {
        err = e instanceof Error ? e : new Error(String(e));
      }
    }
    client.removeAllListeners('end');
    if (err) client.on('error', () => undefined); // a late socket error on a discarded client
    else client.removeAllListeners('error');
    client.release(err);
  }

  /** Reads and delivers until a read returns less than a batch or stops at a pending hole. */
  private async drain(): Promise<void> {
    for (;;) {
      const client = this.client;
      if (!client) throw new Error('decision stream: connection lost');
      const { rows } = await client.query<{ snapshot: string; seq: string | null; committed_at: string | null; payload: StreamEvent | null }>(READ, [
        this.pos,
        this.o.batchSize,
      ]);
      this.stats.reads += 1;
      const snapshot = parseSnapshot(rows[0]?.snapshot ?? '0:0:');
      const events = rows.filter((r) => r.seq !== null);
      const last = events.length ? Number(events[events.length - 1]?.seq) : 0;
      let held = false;
      for (const row of events) {
        if (this.stopped) return;
        const seq = Number(row.seq);
        if (seq !== this.pos + 1 && !this.holeResolved(seq, snapshot)) {
          // A new witness, unless a pending one covers this hole already (an older one resolves sooner).
          if (!this.witness || seq > this.witness.below) {
            this.witness = await this.newWitness(client, last);
            if (this.witness.xids.length === 0) this.dirty = true; // nothing open: the next read passes it
          }
          held = true;
          break;
        }
        await this.o.onEvent({ seq, committedAt: Number(row.committed_at), event: row.payload as StreamEvent });
        this.pos = seq;
        this.stats.delivered += 1;
        if (this.witness && seq >= this.witness.below) this.witness = null;
      }
      if (held || events.length < this.o.batchSize) return;
    }
  }

  /** Whether the hole (position, seq) can be passed, reading under `s`. */
  private holeResolved(seq: number, s: Snapshot): boolean {
    const w = this.witness;
    if (!w || seq > w.below) return false;
    if (w.xids.every((xid) => finishedIn(xid, s))) {
      this.stats.abandonedGaps += 1;
      return true;
    }
    if (Date.now() - w.since >= this.o.gapGraceMs) {
      this.stats.forcedGaps += 1;
      this.o.onError(new Error(`decision stream: seqs ${this.pos + 1}–${seq - 1} passed after ${this.o.gapGraceMs} ms with transactions still open`));
      return true;
    }
    return false;
  }

  /** The transactions that may fill a hole below `below`, a row the last read saw committed (see the header). */
  private async newWitness(client: PoolClient, below: number): Promise<Witness> {
    const results = (await client.query(WITNESS)) as unknown as QueryResult<{ snapshot: string; xid: string }>[];
    const row = results.find((r) => r.rows.length > 0)?.rows[0];
    if (!row) throw new Error('decision stream: the witness query returned nothing');
    const w = parseSnapshot(row.snapshot);
    const own = BigInt(row.xid);
    const xids = [...w.xip];
    for (let xid = w.xmax; xid < own; xid++) xids.push(xid);
    return { below, xids, since: Date.now() };
  }
}

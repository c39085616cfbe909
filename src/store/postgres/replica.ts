// One replica of several sharing PostgreSQL. PostgreSQL holds the record every replica agrees on
// (decisions, their identifiers, the exposure ledger, the change stream); each replica keeps its
// embedded SQLite store as a local copy of it, fed by the change stream, so that everything the
// single-instance service reads synchronously on the event loop (the velocity index and fraud
// graph it rebuilds at start, GET /decisions/:id, the review queue, search, reports) keeps
// working unchanged, and reads never wait on the network.
//
// - A decision made here commits on PostgreSQL first (PgDecisionCommitter: idempotency and the
//   exposure check across replicas), then into the local copy before it is answered, so a caller
//   reads its own decision back from this replica at once.
// - A decision made on another replica arrives on the stream (p99 27.7 ms measured by
//   `npm run bench:pg-stream`) and is copied in: its row, identifiers and live reservation, then
//   the velocity index and fraud graph (onReplicated). Each decision joins them once: the local
//   copy's primary key decides who copies it, and only the copier tells the graph.
// - The stream position is kept in the local store (store_meta), so a replica restarted, or
//   disconnected for a while, catches up from where it was; whatever it meets again is already
//   in its copy and is passed over.
import type { Pool } from 'pg';
import type { ExposureBook } from '../../limits/exposure-book';
import { ApplicationExistsError, type AuditStore, type DecisionRow, type DecisionStatus, type LoanOutcomeRow, type Reservation, type StoredDecision } from '../audit-store';
import type { CommitOutcome, CommitPlan, CommitRequest, DecisionCommitter } from '../decision-commit';
import { getMeta, setMeta } from '../store-meta';
import { changeEventKey, DecisionStreamSubscriber, type DecisionCopy, type DecisionEvent, type DecisionStreamOptions, type StreamedDecision } from './decision-stream';
import { unavailableOr } from './connection';
import type { PgDecisionChanger } from './decision-change';
import { insertImportedLabel, type PgLabelRecorder } from './labels';
import { HistoryConflictError, type HistoryEntry, type SharedHistory } from '../history-import';
import type { ApplicationLabel, GraphStore, LabelInput, LabelOutcome } from '../graph-store';
import type { LabelRecorder } from '../label-record';
import { replicatedOf, type PgDecisionCommitter, type ReplicatedDecision } from './decisions';
import type { ChangeRequest, DecisionChange, DecisionChanger, Planned } from '../decision-change';
import { applyChange, undoInBook, type AppliedChange } from '../local-decision-change';
import { purgeLocally } from '../local-retention';

const POSITION_META = 'replica_stream_position';
/** Copies of other replicas' decisions in flight at most (the local store commits them in groups). */
const MAX_PENDING_COPIES = 256;

export interface ReplicaOptions {
  /**
   * Connections of the stream's own (its LISTEN connection and the reads of what it copies), apart
   * from those decisions commit on: under load, commits queue for connections, and the copies of
   * other replicas' decisions must not queue behind them.
   */
  readonly followPool: Pool;
  readonly shared: PgDecisionCommitter;
  readonly changer: PgDecisionChanger;
  readonly labeller: PgLabelRecorder;
  /** The local copy's labels (this replica's own SQLite store). */
  readonly labels: GraphStore;
  /** The local copy (this replica's own SQLite store). */
  readonly store: AuditStore;
  /** The local copy's live exposure (limits reports and the limits stage's snapshot; the check itself runs on PostgreSQL). */
  readonly book: ExposureBook;
  readonly onError?: (err: Error) => void;
  /** How often the stream position is written to the local store. Default 1,000 ms. */
  readonly positionSaveMs?: number;
  readonly stream?: Omit<DecisionStreamOptions, 'onEvent' | 'onError'>;
}

export interface ReplicaHooks {
  /** A decision another replica made, now in the local copy: it joins the velocity index and the fraud graph. */
  readonly onReplicated: (row: DecisionRow, clusterId: string | null, committedAt: number) => void;
  /** A label another replica recorded, now in the local copy: the fraud graph takes it. */
  readonly onLabelled: (applicationId: string, label: ApplicationLabel) => void;
  /** The lease holder published clustering `generation`; every decision it clustered is in the copy. */
  readonly onClustered: (generation: number) => Promise<void>;
  /** An investigator asked some replica for a recluster: the lease holder starts one. */
  readonly onReclusterRequested: () => void;
  /** A loan outcome another replica recorded, now in the local copy (first: the loan's first report). */
  readonly onLoanOutcome: (outcome: LoanOutcomeRow, first: boolean) => void;
}

export interface ReplicaStats {
  /** Decisions of other replicas copied in. */
  replicated: number;
  /** Stream events passed over because the local copy held them already (this replica's own, or met again after a restart). */
  present: number;
  /** Decisions committed on PostgreSQL whose local copy failed at first (the stream copied them later). */
  localCopyFailures: number;
  /** Stream events whose copy failed and was tried again. */
  copyRetries: number;
  /** Decisions (or their identifiers) the local copy forgot as retention on the shared database did. */
  purged: number;
}

export class Replica implements DecisionCommitter, DecisionChanger, LabelRecorder, SharedHistory {
  readonly stats: ReplicaStats = { replicated: 0, present: 0, localCopyFailures: 0, copyRetries: 0, purged: 0 };
  private stopping = false;
  private readonly subscriber: DecisionStreamSubscriber;
  /** This replica's own commits and changes in flight, until their local copy is made (own()). */
  private readonly copying = new Map<string, Promise<void>>();
  /** Copies of other replicas' decisions in flight, by stream seq, and by decision id and `application/<id>`. */
  private readonly pending = new Map<number, Promise<void>>();
  private readonly pendingOf = new Map<string, Promise<void>>();
  /** Own changes whose local copy failed: counted already, so the stream applies them without telling calibration again. */
  private readonly ownUncopiedChanges = new Set<string>();
  /** Own decisions whose local copy failed: already in velocity and graph, so the stream copies them without telling those again. */
  private readonly ownUncopied = new Set<string>();
  private savedPosition = 0;
  private hooks: ReplicaHooks = { onReplicated: () => undefined, onLabelled: () => undefined, onClustered: async () => undefined, onReclusterRequested: () => undefined, onLoanOutcome: () => undefined };
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ReplicaOptions) {
    this.subscriber = new DecisionStreamSubscriber(o.followPool, {
      ...o.stream,
      onEvent: (event) => this.follow(event),
      onError: (err) => o.onError?.(err),
    });
  }

  /**
   * Whether this replica can take decisions: its stream connection is up (so the shared database
   * is reachable). A commit that finds the database gone answers 503 on its own.
   */
  readiness(): { readonly ok: boolean; readonly detail: string } {
    if (this.subscriber.backendPid === null) return { ok: false, detail: 'the shared database (DATABASE_URL) is unreachable: reconnecting; decisions answer 503 until it is back' };
    return { ok: true, detail: `following the decision stream at ${this.subscriber.position}` };
  }

  /** The last stream event this replica has in its copy. */
  get position(): number {
    return this.subscriber.position;
  }

  /**
   * Follows the stream from the local copy's saved position and resolves once the copy holds
   * every decision committed before the call (the service answers nothing until then).
   */
  async start(hooks: ReplicaHooks): Promise<void> {
    this.hooks = hooks;
    const saved = Number(getMeta(this.o.store.database, POSITION_META) ?? 0);
    this.savedPosition = Number.isSafeInteger(saved) && saved >= 0 ? saved : 0;
    const { rows } = await this.o.followPool.query<{ last: string }>('SELECT COALESCE(max(seq), 0)::text AS last FROM decision_events');
    const target = Number(rows[0]?.last ?? 0);
    await this.subscriber.start(this.savedPosition);
    while (this.subscriber.position < target) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(this.pending.values());
    await this.savePosition();
    this.saveTimer = setInterval(() => void this.savePosition().catch((err: unknown) => this.o.onError?.(err as Error)), this.o.positionSaveMs ?? 1000).unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.saveTimer);
    await this.subscriber.stop();
    await Promise.allSettled([...this.copying.values(), ...this.pending.values()]);
    await this.savePosition().catch(() => undefined);
  }

  /**
   * The local copy only: an application decided on another replica within the stream's lag is
   * not seen here, is evaluated, and is then answered from PostgreSQL's record by commit (the
   * stored decision, as a retry, or 409). Correct either way; a network round trip saved on every
   * new application.
   */
  async findByApplicationId(applicationId: string): Promise<StoredDecision | undefined> {
    return this.o.store.findByApplicationId(applicationId);
  }

  async commit<P extends CommitPlan>(request: CommitRequest<P>): Promise<CommitOutcome<P>> {
    return this.own(`application/${request.applicationId}`, async () => {
      let outcome: CommitOutcome<P>;
      try {
        outcome = await this.o.shared.commit(request);
      } catch (err) {
        throw unavailableOr(err);
      }
      if (!outcome.stored) return outcome;
      const { row, status, reservation } = outcome.plan;
      await this.copy(row, status, reservation).catch((err: unknown) => {
        // Stored and streamed: the answer stands, and the stream copies it in later.
        this.stats.localCopyFailures += 1;
        this.ownUncopied.add(row.decisionId);
        this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
      });
      return outcome;
    });
  }

  /** Imported history: stored on PostgreSQL all or nothing, then into the local copy, labels included. */
  async importHistory(entries: readonly HistoryEntry[], source: string, importedAt: number): Promise<HistoryEntry[]> {
    const keys = entries.map((e) => `application/${e.row.applicationId}`);
    return this.ownAll(keys, async () => {
      const labelled = new Map<string, LabelOutcome>();
      let outcomes: CommitOutcome<CommitPlan>[];
      try {
        outcomes = await this.o.shared.commitAll(
          entries.map((e) => ({ row: e.row, status: 'final' })),
          async (client, stored) => {
            const labels = new Map(entries.map((e) => [e.row.applicationId, e.label]));
            for (const plan of stored) {
              const label = labels.get(plan.row.applicationId);
              if (label) labelled.set(plan.row.applicationId, await insertImportedLabel(client, { applicationId: plan.row.applicationId, label, by: source, note: 'imported with its history', at: importedAt }));
            }
          },
          (all) => {
            const conflict = all.find((o, i) => !o.stored && o.existing.requestFingerprint !== entries[i]?.row.requestFingerprint);
            if (conflict && !conflict.stored) throw new HistoryConflictError(conflict.existing.applicationId);
          },
        );
      } catch (err) {
        throw unavailableOr(err);
      }
      const stored = entries.filter((_, i) => outcomes[i]?.stored);
      for (const entry of stored) {
        await this.copy(entry.row, 'final', undefined).catch((err: unknown) => {
          this.stats.localCopyFailures += 1;
          this.ownUncopied.add(entry.row.decisionId);
          this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
        });
        const label = labelled.get(entry.row.applicationId);
        if (label) this.o.labels.copyLabel(label);
      }
      return stored;
    });
  }

  /** own() for a batch: every key held until the whole batch is copied. */
  private async ownAll<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const running = work();
    // Two of this replica's own operations on one key (the same application sent twice at once):
    // the event waits for both.
    const earlier = keys.map((key) => this.copying.get(key));
    const settled = Promise.allSettled([running, ...earlier]).then(() => undefined);
    for (const key of keys) this.copying.set(key, settled);
    try {
      return await running;
    } finally {
      for (const key of keys) if (this.copying.get(key) === settled) this.copying.delete(key);
    }
  }

  /**
   * Runs this replica's own commit or change under `key` from before it reaches PostgreSQL until
   * its local copy is made: the stream's event for it, however early it arrives, waits, then finds
   * it copied, so velocity, the graph and calibration count it once (the caller tells them).
   */
  private own<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.ownAll([key], work);
  }

  /** Into the local copy; false where it is there already. The book follows only a copy made here. */
  private async copy(row: DecisionRow, status: DecisionStatus, reservation: Reservation | undefined): Promise<boolean> {
    try {
      await this.o.store.writeDecision(row, status, reservation);
    } catch (err) {
      if (err instanceof ApplicationExistsError) return false;
      throw err;
    }
    if (reservation) this.o.book.apply(reservation, 1);
    return true;
  }

  /** A change of a stored decision: committed on PostgreSQL, then into the local copy before it is answered. */
  async change<R>(request: ChangeRequest<R>): Promise<Planned<R>> {
    return this.own(`decision/${request.decisionId}`, async () => {
      let done: Planned<R>;
      try {
        done = await this.o.changer.change(request);
      } catch (err) {
        throw unavailableOr(err);
      }
      if (done.change) {
        await this.copyChange(request.decisionId, done.change).catch((err: unknown) => {
          // Committed and streamed: the stream applies it to the copy later (the caller counted it).
          this.stats.localCopyFailures += 1;
          this.ownUncopiedChanges.add(changeEventKey(request.decisionId, done.change as DecisionChange));
          this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
        });
      }
      return done;
    });
  }

  async expiring(now: number): Promise<string[]> {
    return this.o.changer.expiring(now);
  }

  private copyChange(decisionId: string, change: DecisionChange): Promise<AppliedChange | undefined> {
    const { store, book } = this.o;
    return store.commit(
      () => applyChange(store, book, decisionId, change),
      (applied) => undoInBook(book, applied),
    );
  }

  /**
   * A copy that fails (the local disk, a read that timed out) is retried here, with backoff, and
   * never handed back to the stream: the stream would take it for a lost connection, and this
   * replica would report the database unreachable while only its copy lags.
   */
  private async follow(streamed: StreamedDecision): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.copyEvent(streamed);
        return;
      } catch (err) {
        if (this.stopping) throw err;
        this.stats.copyRetries += 1;
        this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  private async copyEvent(streamed: StreamedDecision): Promise<void> {
    const { event } = streamed;
    if (event.kind === 'changed') {
      await this.copying.get(`decision/${event.decisionId}`);
      await this.pendingOf.get(event.decisionId);
      // Its decision first, where this copy lacks it (a decision whose own copy failed).
      if (!this.o.store.getDecision(event.decisionId)) {
        await this.followDecided(streamed.seq, event.decisionId, undefined, null, streamed.committedAt);
        await this.pendingOf.get(event.decisionId);
      }
      const applied = await this.copyChange(event.decisionId, event.change);
      const mine = this.ownUncopiedChanges.delete(changeEventKey(event.decisionId, event.change));
      if (applied?.outcome && !mine) this.hooks.onLoanOutcome(applied.outcome.row, applied.outcome.first);
      return;
    }
    if (event.kind === 'labelled') {
      // Its application's copy first: the graph labels only applications it holds.
      await this.pendingOf.get(`application/${event.outcome.kind === 'labelled' ? event.outcome.record.applicationId : event.outcome.request.applicationId}`);
      if (this.o.labels.copyLabel(event.outcome) && event.outcome.kind === 'labelled') this.hooks.onLabelled(event.outcome.record.applicationId, event.outcome.record.label);
      return;
    }
    if (event.kind === 'clustered') {
      // Its members are decisions before it in the stream: their copies first.
      await Promise.all(this.pending.values());
      await this.hooks.onClustered(event.generation);
      return;
    }
    if (event.kind === 'recluster_requested') {
      this.hooks.onReclusterRequested();
      return;
    }
    if (event.kind === 'purged') {
      // Their copies in flight, and this replica's own changes of them, first.
      await Promise.all(event.subjects.flatMap((s) => [this.pendingOf.get(s.decisionId), this.pendingOf.get(`application/${s.applicationId}`), this.copying.get(`decision/${s.decisionId}`)]));
      const { store, labels } = this.o;
      // Not pending: the shared database checked that under the rows' locks.
      const subjects = event.subjects.map((s) => ({ ...s, pending: false }));
      this.stats.purged += await store.commit(() => purgeLocally(store, labels, event.pass, subjects));
      return;
    }
    await this.followDecided(streamed.seq, event.decisionId, event.copy ? { ...event, copy: event.copy } : undefined, event.clusterId, streamed.committedAt);
  }

  /** A label: recorded on PostgreSQL (four eyes across replicas), then into the local copy before it is answered. */
  async record(input: LabelInput): Promise<LabelOutcome> {
    let outcome: LabelOutcome;
    try {
      outcome = await this.o.labeller.record(input);
    } catch (err) {
      throw unavailableOr(err);
    }
    // The copy's label history and pending clearance read as the caller's answer says, at once.
    this.o.labels.copyLabel(outcome);
    return outcome;
  }

  /**
   * Starts the copy of a decision another replica made and returns without waiting for it to be
   * durable here: the local store then commits a burst of copies together, as it does decisions.
   * At most MAX_PENDING_COPIES are in flight; the saved position stays below the oldest.
   */
  private async followDecided(seq: number, decisionId: string, carried: (DecisionEvent & { copy: DecisionCopy }) | undefined, clusterId: string | null, committedAt: number): Promise<void> {
    if (carried) await this.copying.get(`application/${carried.applicationId}`);
    if (this.o.store.getDecision(decisionId) || this.pendingOf.has(decisionId)) {
      this.stats.present += 1;
      return;
    }
    // Events written before they carried the row: read it.
    const replicated = carried ? replicatedOf(carried) : await this.o.shared.replicated(decisionId, this.o.followPool);
    // Gone from PostgreSQL since (retention): nothing to copy.
    if (!replicated) return;
    const copying = this.copyWithRetry(replicated).then((copied) => {
      if (!copied) {
        this.stats.present += 1;
        return;
      }
      if (this.ownUncopied.delete(decisionId)) return;
      this.stats.replicated += 1;
      this.hooks.onReplicated(replicated.row, clusterId, committedAt);
    });
    const ofApplication = `application/${replicated.row.applicationId}`;
    const tracked = copying.finally(() => {
      this.pending.delete(seq);
      this.pendingOf.delete(decisionId);
      this.pendingOf.delete(ofApplication);
    });
    // Fails only when the replica stops (it is then copied again from the saved position at the next start).
    tracked.catch(() => undefined);
    this.pending.set(seq, tracked);
    this.pendingOf.set(decisionId, tracked);
    this.pendingOf.set(ofApplication, tracked);
    if (this.pending.size >= MAX_PENDING_COPIES) await Promise.race(this.pending.values());
  }

  /** A local write that fails (the disk) is tried again with backoff until it succeeds or the replica stops. */
  private async copyWithRetry(replicated: ReplicatedDecision): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.copy(replicated.row, replicated.status, replicated.reservation);
      } catch (err) {
        if (this.stopping) throw err;
        this.stats.copyRetries += 1;
        this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  /** The last event whose copy is done: the stream's position, or just below the oldest copy in flight. */
  private copiedPosition(): number {
    let oldest = Infinity;
    for (const seq of this.pending.keys()) oldest = Math.min(oldest, seq);
    return oldest === Infinity ? this.subscriber.position : oldest - 1;
  }

  private async savePosition(): Promise<void> {
    const position = this.copiedPosition();
    if (position === this.savedPosition) return;
    await this.o.store.commit(() => setMeta(this.o.store.database, POSITION_META, String(position)));
    this.savedPosition = position;
  }
}

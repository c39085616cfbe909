// Admission control for decisions. A fixed number of decisions evaluate at once; the rest wait in
// a bounded FIFO queue for at most a set time, and a stage's budget starts only when its decision
// holds a slot, so time spent queueing never eats a budget. Past the queue, the wait or an event
// loop already lagging, a request is refused (503 + Retry-After) before anything is decided or
// stored. NOTE: 400 concurrent requests used to be admitted all at once; their stage budgets ran
// out while they took turns on the event loop, and the fallbacks were stored as final reviews.

export interface AdmissionLimits {
  /** Decisions evaluating at once. */
  readonly slots: number;
  /** Decisions waiting for a slot; one more is refused. */
  readonly queue: number;
  /** A decision that waited this long for a slot is refused instead of decided late. */
  readonly maxWaitMs: number;
  /** Past this event-loop delay (recent maximum), new decisions are refused. */
  readonly maxLoopDelayMs: number;
}

export type ShedReason = 'queue_full' | 'queue_wait' | 'event_loop_delay' | 'budget_spent_under_load';

/** Nothing was decided or stored: the caller retries after `retryAfterS`. */
export class OverloadedError extends Error {
  constructor(
    readonly reason: ShedReason,
    message: string,
    readonly retryAfterS = 1,
  ) {
    super(message);
  }
}

export interface Slot {
  release(): void;
}

interface Waiter {
  readonly grant: (slot: Slot) => void;
  readonly timer: NodeJS.Timeout;
}

export class Admission {
  private inUse = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly limits: AdmissionLimits,
    /** Recent maximum event-loop delay in ms (src/observability/event-loop.ts). */
    private readonly loopDelayMs: () => number,
  ) {}

  get inFlight(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Why a new decision would be refused right now, if it would. Cheap: checked before the body is parsed. */
  refusal(): OverloadedError | undefined {
    const delay = this.loopDelayMs();
    if (delay >= this.limits.maxLoopDelayMs) return new OverloadedError('event_loop_delay', `event loop delayed ${Math.round(delay)} ms (limit ${this.limits.maxLoopDelayMs} ms)`);
    if (this.inUse >= this.limits.slots && this.waiting.length >= this.limits.queue) return new OverloadedError('queue_full', `${this.inUse} decisions evaluating and ${this.waiting.length} queued`);
    return undefined;
  }

  /** Waits for a slot (FIFO); throws OverloadedError when refused or when the wait runs out. */
  acquire(): Promise<Slot> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    if (this.inUse < this.limits.slots) {
      this.inUse++;
      return Promise.resolve(this.slot());
    }
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new OverloadedError('queue_wait', `no decision slot within ${this.limits.maxWaitMs} ms`));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /**
   * Whether the service is saturated now: decisions queued, or the event loop lagging. A stage
   * budget that ran out in this state ran out because of the load, not because of its provider.
   */
  saturated(): boolean {
    return this.waiting.length > 0 || this.loopDelayMs() >= this.limits.maxLoopDelayMs / 2;
  }

  private slot(): Slot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        if (next) {
          clearTimeout(next.timer);
          next.grant(this.slot());
        } else {
          this.inUse--;
        }
      },
    };
  }
}

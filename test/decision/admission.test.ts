import { afterEach, describe, expect, it, vi } from 'vitest';
import { Admission, OverloadedError } from '../../src/decision/admission';

afterEach(() => vi.useRealTimers());

const limits = { slots: 2, queue: 2, maxWaitMs: 100, maxLoopDelayMs: 200 };

describe('Admission', () => {
  it('admits up to its slots at once, queues the next ones first-in first-out, and refuses past the queue', async () => {
    const admission = new Admission(limits, () => 0);
    const a = await admission.acquire();
    const b = await admission.acquire();
    const order: string[] = [];
    const c = admission.acquire().then((s) => (order.push('c'), s));
    const d = admission.acquire().then((s) => (order.push('d'), s));
    expect(admission.queued).toBe(2);
    expect(admission.refusal()?.reason).toBe('queue_full');
    await expect(admission.acquire()).rejects.toMatchObject({ reason: 'queue_full' });
    a.release();
    a.release(); // a second release of the same slot changes nothing
    const cs = await c;
    expect(order).toEqual(['c']);
    expect(admission.inFlight).toBe(2);
    b.release();
    (await d).release();
    cs.release();
    expect(order).toEqual(['c', 'd']);
    expect(admission.inFlight).toBe(0);
  });

  it('a decision that cannot get a slot within the wait is refused, and leaves the queue', async () => {
    vi.useFakeTimers();
    const admission = new Admission(limits, () => 0);
    await admission.acquire();
    await admission.acquire();
    const waiting = admission.acquire();
    const failed = expect(waiting).rejects.toMatchObject({ reason: 'queue_wait' });
    vi.advanceTimersByTime(100);
    await failed;
    expect(admission.queued).toBe(0);
  });

  it('refuses new decisions while the event loop lags; saturated while anything queues or the loop lags half as much', async () => {
    let delay = 250;
    const admission = new Admission(limits, () => delay);
    const refused = admission.refusal();
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused?.reason).toBe('event_loop_delay');
    await expect(admission.acquire()).rejects.toMatchObject({ reason: 'event_loop_delay' });
    delay = 100;
    expect(admission.saturated()).toBe(true);
    delay = 0;
    expect(admission.saturated()).toBe(false);
    await admission.acquire();
    await admission.acquire();
    void admission.acquire().catch(() => undefined);
    expect(admission.saturated()).toBe(true);
  });
});

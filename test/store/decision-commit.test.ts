// The decision commit contract (src/store/decision-commit.ts), held against both adapters: the
// embedded SQLite one (one process) and the PostgreSQL one replicas share. Whatever serves, an
// application is decided once, the exposure a plan sees is every committed booking (so approvals
// never take more room than there is), and a commit that fails leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionExposure } from '../../src/limits/regions';
import type { DecisionRow, Reservation } from '../../src/store/audit-store';
import type { CommitPlan, DecisionCommitter } from '../../src/store/decision-commit';
import { decisionRow } from '../support/factories';
import { STORE_ADAPTERS, type StoreAdapter } from '../support/store-adapters';

/** An approval of `amount` in `region` that settles to review where the region lacks room under `limit`. */
function approval(applicationId: string, region: string, amount: number, limit: number, seen: RegionExposure[] = [], overrides: Partial<DecisionRow> = {}, reservationId?: string) {
  return {
    applicationId,
    exposureRegion: region,
    plan: (exposure: RegionExposure): CommitPlan => {
      seen.push(structuredClone(exposure));
      const fits = exposure.reserved + amount <= limit;
      const row = decisionRow(applicationId, { decisionId: `d-${applicationId}-${overrides.caller ?? 'x'}`, region, outcome: fits ? 'approve' : 'review', ...overrides });
      const reservation: Reservation | undefined = fits ? { decisionId: reservationId ?? row.decisionId, region, product: row.product, amount, pd: 0.1, reservedAt: 1, expiresAt: 2 } : undefined;
      return { row, status: fits ? 'final' : 'awaiting_review', ...(reservation ? { reservation } : {}) };
    },
  };
}

describe.each(Object.keys(STORE_ADAPTERS))('decision commit (%s)', (name) => {
  let adapter: StoreAdapter;
  beforeAll(async () => {
    adapter = await (STORE_ADAPTERS[name] as () => Promise<StoreAdapter>)();
  });
  afterAll(() => adapter?.close());
  const on = (i: number) => adapter.committers[i % adapter.committers.length] as DecisionCommitter;

  it('stores a decision once; a second commit of its application gets the stored one back and stores nothing', async () => {
    const first = await on(0).commit(approval('ONCE-1', 'north', 100, 1_000_000, [], { caller: 'key:a', requestFingerprint: 'fp-a', document: { outcome: 'approve', n: 1 } }));
    expect(first.stored).toBe(true);
    const second = await on(1).commit(approval('ONCE-1', 'north', 100, 1_000_000, [], { caller: 'key:b', requestFingerprint: 'fp-b' }));
    expect(second).toMatchObject({ stored: false, existing: { decisionId: 'd-ONCE-1-key:a', caller: 'key:a', requestFingerprint: 'fp-a', document: { outcome: 'approve', n: 1 } } });
    expect(await on(2).findByApplicationId('ONCE-1')).toMatchObject({ decisionId: 'd-ONCE-1-key:a', status: 'final' });
    expect(await adapter.reservations('north')).toEqual({ count: 1, sum: 100 });
  });

  it('gives each plan the region exposure every earlier commit booked: total, split by product, PD-weighted, count', async () => {
    const seen: RegionExposure[] = [];
    await on(0).commit(approval('SEEN-1', 'west', 300, 1_000_000, seen));
    await on(1).commit(approval('SEEN-2', 'west', 200.25, 1_000_000, seen, { product: 'credit_card' }));
    await on(2).commit(approval('SEEN-3', 'west', 1, 1_000_000, seen));
    expect(seen[0]).toEqual({ reserved: 0, byProduct: {}, pdWeighted: 0, pdAmount: 0, approvals: 0 });
    expect(seen[2]?.reserved).toBeCloseTo(500.25, 9);
    expect(seen[2]?.byProduct.personal_loan).toBeCloseTo(300, 9);
    expect(seen[2]?.byProduct.credit_card).toBeCloseTo(200.25, 9);
    expect(seen[2]?.pdWeighted).toBeCloseTo(50.025, 9);
    expect(seen[2]?.pdAmount).toBeCloseTo(500.25, 9);
    expect(seen[2]?.approvals).toBe(2);
  });

  it('150 concurrent approvals over every committer against room for exactly 20: exactly 20 booked, the ledger their sum', async () => {
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => on(i).commit(approval(`RACE-${i}`, 'tight', 250, 5_000))));
    const booked = results.filter((r) => r.stored && r.plan.reservation);
    expect(results.every((r) => r.stored)).toBe(true);
    expect(booked).toHaveLength(20);
    expect(await adapter.reservations('tight')).toEqual({ count: 20, sum: 5_000 });
    expect(await adapter.decisionCount('RACE-')).toBe(150);
  });

  it('the same application committed at once through every committer is stored exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => on(i).commit(approval('SAME-1', 'south', 10, 1_000_000, [], { caller: `key:${i}` }))));
    expect(results.filter((r) => r.stored)).toHaveLength(1);
    const winner = results.find((r) => r.stored);
    expect(results.filter((r) => !r.stored).every((r) => !r.stored && r.existing.decisionId === (winner?.stored ? winner.plan.row.decisionId : ''))).toBe(true);
    expect(await adapter.reservations('south')).toEqual({ count: 1, sum: 10 });
  });

  it('a commit that fails leaves no decision and no booking', async () => {
    // A booking under a decision id booked already breaks the ledger's primary key after the decision's row is in.
    const broken = approval('BROKEN-1', 'east', 500, 1_000_000, [], {}, 'd-ONCE-1-key:a');
    await expect(on(0).commit(broken)).rejects.toThrow();
    expect(await on(1).findByApplicationId('BROKEN-1')).toBeUndefined();
    expect(await adapter.reservations('east')).toEqual({ count: 0, sum: 0 });
    const seen: RegionExposure[] = [];
    expect((await on(2).commit(approval('AFTER-1', 'east', 500, 1_000_000, seen))).stored).toBe(true);
    expect(seen[0]?.reserved).toBe(0);
  });
});

// The decision change contract (src/store/decision-change.ts), held against both adapters: a
// change sees the decision, its live reservation and (where asked) its region's committed
// exposure; concurrent changes of one decision happen one after the other (the second sees the
// first); a release gives the room back once; a refused or failed change writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionExposure } from '../../src/limits/regions';
import type { Reservation, StoredDecision } from '../../src/store/audit-store';
import type { ChangeContext, DecisionChange, DecisionChanger } from '../../src/store/decision-change';
import type { DecisionCommitter } from '../../src/store/decision-commit';
import { decisionRow } from '../support/factories';
import { STORE_ADAPTERS, type StoreAdapter } from '../support/store-adapters';

class Refused extends Error {}

const booking = (decisionId: string, region: string, amount: number): Reservation => ({ decisionId, region, product: 'personal_loan', amount, pd: 0.05, reservedAt: 10, expiresAt: 20 });

/** A decision awaiting review in `region`, or an approval booking `amount` there. */
async function decided(committer: DecisionCommitter, applicationId: string, region: string, approvedAmount?: number): Promise<string> {
  const row = decisionRow(applicationId, { region, outcome: approvedAmount ? 'approve' : 'review' });
  const out = await committer.commit({
    applicationId,
    ...(approvedAmount ? { exposureRegion: region } : {}),
    plan: () => ({ row, status: approvedAmount ? 'final' : 'awaiting_review', ...(approvedAmount ? { reservation: booking(row.decisionId, region, approvedAmount) } : {}) }),
  });
  if (!out.stored) throw new Error('not stored');
  return row.decisionId;
}

/** A sign-off that approves `amount` where the region has room under `limit`, refusing otherwise. */
const signOff = (decisionId: string, amount: number, limit: number, seen: ChangeContext[] = [], at = 100) => ({
  decisionId,
  needsExposure: true,
  plan: (context: ChangeContext) => {
    seen.push(structuredClone(context));
    const { decision, exposure } = context;
    if (!decision) throw new Refused('no such decision');
    if (decision.status !== 'awaiting_review') throw new Refused(`is ${decision.status}`);
    if (exposure.reserved + amount > limit) throw new Refused('no room');
    const change: DecisionChange = { status: 'final', currentOutcome: 'approve', event: { at, type: 'signed_off', detail: { by: 'r' } }, reserve: booking(decisionId, decision.region, amount) };
    return { change, result: 'approved' };
  },
});

const cancel = (decisionId: string, at = 200) => ({
  decisionId,
  needsExposure: false,
  plan: ({ decision, reservation }: ChangeContext) => {
    if (!decision || !reservation) throw new Refused('nothing to release');
    const change: DecisionChange = { status: 'cancelled', currentOutcome: 'approve', event: { at, type: 'cancelled', detail: {} }, release: true };
    return { change, result: reservation };
  },
});

describe.each(Object.keys(STORE_ADAPTERS))('decision change (%s)', (name) => {
  let adapter: StoreAdapter;
  beforeAll(async () => {
    adapter = await (STORE_ADAPTERS[name] as () => Promise<StoreAdapter>)();
  });
  afterAll(() => adapter?.close());
  const committer = (i: number) => adapter.committers[i % adapter.committers.length] as DecisionCommitter;
  const changer = (i: number) => adapter.changers[i % adapter.changers.length] as DecisionChanger;

  it('a sign-off sees the decision and its region committed exposure, and books against it', async () => {
    await decided(committer(0), 'CH-BOOKED', 'north', 700);
    const id = await decided(committer(1), 'CH-REVIEW', 'north');
    const seen: ChangeContext[] = [];
    expect((await changer(2).change(signOff(id, 300, 1_000, seen))).result).toBe('approved');
    expect(seen[0]?.decision).toMatchObject({ decisionId: id, status: 'awaiting_review' } satisfies Partial<StoredDecision>);
    expect(seen[0]?.exposure).toMatchObject({ reserved: 700, approvals: 1 } satisfies Partial<RegionExposure>);
    expect(await adapter.reservations('north')).toEqual({ count: 2, sum: 1_000 });
    expect(await adapter.history(id)).toEqual([{ type: 'signed_off' }].map((h) => expect.objectContaining(h)));
  });

  it('twenty sign-offs of one decision at once through every changer: one signs, the others see it signed', async () => {
    const id = await decided(committer(0), 'CH-RACE', 'south');
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => changer(i).change(signOff(id, 10, 1_000_000, [], 100 + i))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.status === 'rejected' && r.reason instanceof Refused && /is final/.test(r.reason.message))).toBe(true);
    expect(await adapter.reservations('south')).toEqual({ count: 1, sum: 10 });
    expect(await adapter.history(id)).toHaveLength(1);
  });

  it('sign-offs racing for the last room of a region never take more than there is', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => decided(committer(i), `CH-ROOM-${i}`, 'tight')));
    const results = await Promise.allSettled(ids.map((id, i) => changer(i).change(signOff(id, 100, 1_000))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(await adapter.reservations('tight')).toEqual({ count: 10, sum: 1_000 });
  });

  it('a release gives the room back once, however many ask at once', async () => {
    const id = await decided(committer(0), 'CH-CANCEL', 'east', 500);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => changer(i).change(cancel(id, 200 + i))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await adapter.reservations('east')).toEqual({ count: 0, sum: 0 });
    expect(await changer(1).expiring(1_000)).not.toContain(id);
  });

  it("a loan's outcome is in the next change's context; a plan that changes nothing writes nothing", async () => {
    const id = await decided(committer(0), 'CH-OUTCOME', 'north', 10);
    const report = (status: string, at: number) => ({
      decisionId: id,
      needsExposure: false,
      plan: ({ decision, loanOutcome }: ChangeContext) => {
        if (!decision) throw new Refused('no such decision');
        if (loanOutcome?.status === status) return { change: undefined, result: 'unchanged' };
        const row = { decisionId: id, status, at, grade: 'B', pd: 0.05, recordedBy: 'key:los', recordedAt: at };
        const change: DecisionChange = { status: decision.status, currentOutcome: decision.currentOutcome, event: { at, type: 'outcome_recorded', detail: { status } }, loanOutcome: row };
        return { change, result: loanOutcome ? `after ${loanOutcome.status}` : 'first' };
      },
    });
    expect((await changer(0).change(report('defaulted', 300))).result).toBe('first');
    expect((await changer(1).change(report('defaulted', 301))).result).toBe('unchanged');
    expect((await changer(2).change(report('written_off', 302))).result).toBe('after defaulted');
    expect(await adapter.history(id)).toHaveLength(2);
  });

  it('lists approvals past their expiry, and a refused change writes nothing', async () => {
    const id = await decided(committer(0), 'CH-EXPIRES', 'west', 50);
    expect(await changer(1).expiring(19)).not.toContain(id);
    expect(await changer(2).expiring(20)).toContain(id);
    await expect(changer(0).change(signOff(id, 10, 1_000))).rejects.toThrow(Refused);
    await expect(changer(0).change(signOff('no-such-decision', 10, 1_000))).rejects.toThrow(Refused);
    expect(await adapter.history(id)).toEqual([]);
    expect(await adapter.reservations('west')).toEqual({ count: 1, sum: 50 });
  });
});

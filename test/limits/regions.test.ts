import { describe, expect, it } from 'vitest';
import { ExposureBook } from '../../src/limits/exposure-book';
import { applyExposurePolicy } from '../../src/limits/policy';
import { checkReservation, effectiveLimit, NO_EXPOSURE, type RegionsTable } from '../../src/limits/regions';
import { DEFAULT_EXPOSURE_POLICY } from '../../src/rules/ruleset';

const table: RegionsTable = {
  default: { limit: 1_000, warnAt: 0.9 },
  regions: {
    east: { limit: 10_000, warnAt: 0.8, products: { micro_loan: 2_000 } },
    west: { computed: { baseLimit: 10_000, referenceBadRate: 0.1, minFactor: 0.5, maxFactor: 1.5, minApprovals: 2 }, warnAt: 0.9 },
  },
  approvalExpiryDays: 30,
};

describe('effectiveLimit', () => {
  it('uses the region, or the default for regions not listed', () => {
    expect(effectiveLimit('east', 'personal_loan', table, NO_EXPOSURE)).toMatchObject({ limit: 10_000, basis: { kind: 'set', configured: 'region' } });
    expect(effectiveLimit('mars', 'personal_loan', table, NO_EXPOSURE)).toMatchObject({ limit: 1_000, basis: { kind: 'set', configured: 'default' } });
    expect(effectiveLimit('east', 'micro_loan', table, NO_EXPOSURE).productLimit).toBe(2_000);
  });

  it('computes a limit from the observed bad rate: worse than reference shrinks it, within the clamp', () => {
    const book = new ExposureBook();
    expect(effectiveLimit('west', 'p', table, book.get('west')).limit).toBe(10_000); // too few approvals: reference rate
    book.apply({ region: 'west', product: 'p', amount: 1_000, pd: 0.2 }, 1);
    book.apply({ region: 'west', product: 'p', amount: 1_000, pd: 0.2 }, 1);
    expect(effectiveLimit('west', 'p', table, book.get('west'))).toMatchObject({ limit: 5_000, basis: { kind: 'computed', observedBadRate: 0.2, factor: 0.5 } });
    const good = new ExposureBook();
    good.apply({ region: 'west', product: 'p', amount: 3_000, pd: 0.01 }, 1);
    good.apply({ region: 'west', product: 'p', amount: 1_000, pd: 0.05 }, 1);
    expect(effectiveLimit('west', 'p', table, good.get('west')).limit).toBe(15_000); // factor capped at 1.5
  });
});

describe('checkReservation', () => {
  const exposure = { reserved: 7_000, byProduct: { micro_loan: 1_500 }, pdWeighted: 0, pdAmount: 0, approvals: 3 };
  it('fits up to the limit exactly, not a unit beyond', () => {
    const limit = effectiveLimit('east', 'personal_loan', table, exposure);
    expect(checkReservation('east', 'personal_loan', 3_000, limit, exposure).wouldExceed).toBe(false);
    expect(checkReservation('east', 'personal_loan', 3_000.01, limit, exposure).wouldExceed).toBe(true);
  });

  it('honours a product sub-limit', () => {
    const limit = effectiveLimit('east', 'micro_loan', table, exposure);
    expect(checkReservation('east', 'micro_loan', 600, limit, exposure)).toMatchObject({ wouldExceed: true, available: 500 });
  });

  it('flags approvals past the warning threshold', () => {
    const limit = effectiveLimit('east', 'personal_loan', table, exposure);
    expect(checkReservation('east', 'personal_loan', 500, limit, exposure).nearLimit).toBe(false);
    expect(checkReservation('east', 'personal_loan', 1_000, limit, exposure).nearLimit).toBe(true);
  });
});

describe('applyExposurePolicy', () => {
  const messages = new Map([['REGION_LIMIT_EXCEEDED', { message: 'full' }]]);
  it("turns an approval with no room into the flow's outcome, with the reason", () => {
    const settled = applyExposurePolicy({ outcome: 'approve', reasons: [] }, { wouldExceed: true, nearLimit: false }, DEFAULT_EXPOSURE_POLICY, messages);
    expect(settled).toEqual({ outcome: 'review', reasons: [{ code: 'REGION_LIMIT_EXCEEDED', stage: 'limits', message: 'full' }] });
  });

  it('leaves reviews and declines alone: they reserve nothing', () => {
    expect(applyExposurePolicy({ outcome: 'decline', reasons: [] }, { wouldExceed: true, nearLimit: false }, DEFAULT_EXPOSURE_POLICY, messages).outcome).toBe('decline');
  });
});

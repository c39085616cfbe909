// The in-memory exposure book and the value form of a reservation's effect (withReservation,
// which the shared ledger's batches settle with) are one definition: they never disagree.
import { describe, expect, it } from 'vitest';
import { ExposureBook, withReservation } from '../../src/limits/exposure-book';
import { NO_EXPOSURE } from '../../src/limits/regions';

describe('exposure', () => {
  it('the book applying reservations and releases equals withReservation applied in turn', () => {
    const book = new ExposureBook();
    let value = NO_EXPOSURE;
    const steps = [
      { delta: { region: 'east', product: 'personal_loan', amount: 1_000, pd: 0.1 }, sign: 1 as const },
      { delta: { region: 'east', product: 'micro_loan', amount: 250.5, pd: null }, sign: 1 as const },
      { delta: { region: 'east', product: 'personal_loan', amount: 400, pd: 0.02 }, sign: 1 as const },
      { delta: { region: 'east', product: 'personal_loan', amount: 1_000, pd: 0.1 }, sign: -1 as const },
    ];
    for (const { delta, sign } of steps) {
      book.apply(delta, sign);
      value = withReservation(value, delta, sign);
      expect(value).toEqual(book.get('east'));
    }
    expect(value).toMatchObject({ reserved: 650.5, approvals: 2, pdAmount: 400 });
    expect(value.pdWeighted).toBeCloseTo(8, 9);
  });
});

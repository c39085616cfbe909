// The limits stage's facts: the region's exposure and whether approving this loan fits under its
// limit. A snapshot for rules and analysts; the store re-checks at commit, which is what counts.
import type { StageProvider } from '../decision/flow';
import type { ExposureBook } from './exposure-book';
import { checkReservation, effectiveLimit, REGIONS_TABLE, type RegionsTable } from './regions';

/** What an approval would reserve: the offered limit when the model scored, else the amount asked. */
export function reservationAmount(facts: { amount?: unknown; offer?: unknown }): number {
  const offer = facts.offer as { limit: number } | undefined;
  return offer?.limit ?? (facts.amount as number);
}

export function exposureFacts(book: ExposureBook): StageProvider {
  return ({ facts, tables }) => {
    const region = facts.region as string;
    const product = facts.product as string;
    const exposure = book.get(region);
    const limit = effectiveLimit(region, product, tables.get(REGIONS_TABLE) as RegionsTable, exposure);
    return { exposure: checkReservation(region, product, reservationAmount(facts), limit, exposure) };
  };
}

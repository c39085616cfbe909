// The limits stage's facts: the region's exposure and whether approving this loan fits under its
// limit. A snapshot for rules and analysts; the store re-checks at commit, which is what counts.
import type { ExposureBook } from '../../limits/exposure-book';
import { checkReservation, effectiveLimit, REGIONS_TABLE, type RegionsTable } from '../../limits/regions';
import { lendingAmount, requiredFact } from '../../rules/facts';
import type { StageProvider } from '../flow';

export function exposureFacts(book: ExposureBook): StageProvider {
  return ({ facts, tables }) => {
    const region = requiredFact(facts, 'region');
    const product = requiredFact(facts, 'product');
    const exposure = book.get(region);
    const limit = effectiveLimit(region, product, tables.get(REGIONS_TABLE) as RegionsTable, exposure);
    return { exposure: checkReservation(region, product, lendingAmount(facts), limit, exposure) };
  };
}

// Reserving an approval's amount against its region's limit: the check against the region's
// committed exposure, read exclusively by the store's committer or changer (the in-memory book on
// one instance, the region row under its lock across replicas), so no two approvals can both take
// the last room; and the region report.
import { ExposureBook } from '../limits/exposure-book';
import { checkReservation, effectiveLimit, regionConfig, type RegionExposure, type RegionsTable, type ReservationCheck } from '../limits/regions';
import { roundTo } from '../common/round';
import type { AuditStore, Reservation } from '../store/audit-store';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReservationInput {
  readonly decisionId: string;
  readonly region: string;
  readonly product: string;
  readonly amount: number;
  readonly pd: number | null;
}

/** The check of an approval against its region's committed exposure (the book's, or a shared ledger's read under its lock). */
export function checkExposure(exposure: RegionExposure, regions: RegionsTable, input: ReservationInput): ReservationCheck {
  return checkReservation(input.region, input.product, input.amount, effectiveLimit(input.region, input.product, regions, exposure), exposure);
}

/** The reservation an approval takes (none for a zero amount), expiring with the regions table's approval expiry. */
export function reservationOf(regions: RegionsTable, input: ReservationInput, now: number): Reservation | undefined {
  if (!(input.amount > 0)) return undefined;
  return { ...input, reservedAt: now, expiresAt: now + regions.approvalExpiryDays * DAY_MS };
}

/** Rebuilds the book from the ledger's live reservations (at start, and in tests). */
export function loadExposureBook(store: AuditStore): ExposureBook {
  const book = new ExposureBook();
  for (const row of store.liveExposure()) book.apply(row, 1);
  return book;
}

export interface RegionReport {
  readonly region: string;
  readonly configured: 'region' | 'default';
  readonly limit: number;
  readonly basis: ReturnType<typeof effectiveLimit>['basis'];
  readonly warnAt: number;
  readonly reserved: number;
  readonly available: number;
  readonly utilisation: number;
  /** ok; near (past warnAt); full (no room, e.g. after a limit was lowered below the exposure). */
  readonly status: 'ok' | 'near' | 'full';
  readonly products: Readonly<Record<string, { readonly limit: number | null; readonly reserved: number }>>;
  readonly liveApprovals: number;
  /** The most recent live approvals behind the exposure. */
  readonly decisions: readonly { decisionId: string; product: string; amount: number; reservedAt: string; expiresAt: string }[];
}

/** Each configured region and each region holding exposure, as GET /limits/regions shows it. */
export function exposureReport(store: AuditStore, book: ExposureBook, regions: RegionsTable, decisionsPerRegion = 100): RegionReport[] {
  const names = [...new Set([...Object.keys(regions.regions), ...book.regionNames()])].sort();
  return names.map((region) => {
    const exposure = book.get(region);
    const limit = effectiveLimit(region, '', regions, exposure);
    const { config, configured } = regionConfig(region, regions);
    const productNames = new Set([...Object.keys(config.products ?? {}), ...Object.keys(exposure.byProduct)]);
    const utilisation = limit.limit > 0 ? exposure.reserved / limit.limit : exposure.reserved > 0 ? Infinity : 0;
    return {
      region,
      configured,
      limit: limit.limit,
      basis: limit.basis,
      warnAt: limit.warnAt,
      reserved: roundTo(exposure.reserved, 2),
      available: roundTo(Math.max(0, limit.limit - exposure.reserved), 2),
      utilisation: roundTo(utilisation, 4),
      status: limit.limit - exposure.reserved <= 0 ? 'full' : utilisation >= limit.warnAt ? 'near' : 'ok',
      products: Object.fromEntries(
        [...productNames].sort().map((p) => [p, { limit: config.products?.[p] ?? null, reserved: roundTo(exposure.byProduct[p] ?? 0, 2) }]),
      ),
      liveApprovals: exposure.approvals,
      decisions: store.liveReservations(region, decisionsPerRegion).map((r) => ({
        decisionId: r.decisionId,
        product: r.product,
        amount: r.amount,
        reservedAt: new Date(r.reservedAt).toISOString(),
        expiresAt: new Date(r.expiresAt).toISOString(),
      })),
    };
  });
}

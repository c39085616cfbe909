// The live exposure per region, in memory: a mirror of the ledger's unreleased reservations,
// loaded from the store at start and changed only after the store commits, so /decide reads
// exposure without touching the disk.
import { NO_EXPOSURE, type RegionExposure } from './regions';

export interface ReservationDelta {
  readonly region: string;
  readonly product: string;
  readonly amount: number;
  readonly pd: number | null;
}

interface MutableExposure {
  reserved: number;
  byProduct: Record<string, number>;
  pdWeighted: number;
  pdAmount: number;
  approvals: number;
}

/** The exposure after a reservation is taken (sign +1) or given back (−1): what the book applies, as a value. */
export function withReservation(exposure: RegionExposure, delta: ReservationDelta, sign: 1 | -1): RegionExposure {
  const pd = delta.pd;
  return {
    reserved: exposure.reserved + sign * delta.amount,
    byProduct: { ...exposure.byProduct, [delta.product]: (exposure.byProduct[delta.product] ?? 0) + sign * delta.amount },
    pdWeighted: pd === null ? exposure.pdWeighted : exposure.pdWeighted + sign * delta.amount * pd,
    pdAmount: pd === null ? exposure.pdAmount : exposure.pdAmount + sign * delta.amount,
    approvals: exposure.approvals + sign,
  };
}

export class ExposureBook {
  private readonly regions = new Map<string, MutableExposure>();

  get(region: string): RegionExposure {
    return this.regions.get(region) ?? NO_EXPOSURE;
  }

  /** sign +1 reserves, −1 releases. */
  apply(delta: ReservationDelta, sign: 1 | -1): void {
    const e = this.regions.get(delta.region) ?? { reserved: 0, byProduct: {}, pdWeighted: 0, pdAmount: 0, approvals: 0 };
    e.reserved += sign * delta.amount;
    e.byProduct[delta.product] = (e.byProduct[delta.product] ?? 0) + sign * delta.amount;
    if (delta.pd !== null) {
      e.pdWeighted += sign * delta.amount * delta.pd;
      e.pdAmount += sign * delta.amount;
    }
    e.approvals += sign;
    this.regions.set(delta.region, e);
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }
}

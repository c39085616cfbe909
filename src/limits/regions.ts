// Regional exposure limits (rules/limits/regions.json): the limit in force for a region — set by
// the analyst, or computed from the region's observed bad rate — and whether a new approval
// fits under it. Pure: exposure figures come from the ledger.

export const REGIONS_TABLE = 'limits/regions.json';

export interface RegionLimitConfig {
  readonly limit?: number;
  readonly computed?: {
    readonly baseLimit: number;
    readonly referenceBadRate: number;
    readonly minFactor: number;
    readonly maxFactor: number;
    readonly minApprovals: number;
  };
  readonly products?: Readonly<Record<string, number>>;
  readonly warnAt: number;
}

export interface RegionsTable {
  readonly default: RegionLimitConfig;
  readonly regions: Readonly<Record<string, RegionLimitConfig>>;
  readonly approvalExpiryDays: number;
  /** Accept regions not listed (they follow default); otherwise they are refused. */
  readonly acceptUnknownRegions?: boolean;
}

/** Whether a decision may name this region: a configured one, or any when the table accepts unknown regions. */
export function isAcceptedRegion(region: string, table: RegionsTable): boolean {
  return table.acceptUnknownRegions === true || Object.hasOwn(table.regions, region);
}

/** The region as a metric label or report key: configured regions by name, the rest as 'other'. */
export function regionLabel(region: string, table: RegionsTable): string {
  return Object.hasOwn(table.regions, region) ? region : 'other';
}

/** A region's live exposure: the sum of its unreleased approvals. */
export interface RegionExposure {
  readonly reserved: number;
  readonly byProduct: Readonly<Record<string, number>>;
  /** Σ amount × PD over live approvals that had a PD: the exposure-weighted bad rate's numerator. */
  readonly pdWeighted: number;
  /** Σ amount over live approvals that had a PD. */
  readonly pdAmount: number;
  readonly approvals: number;
}

export const NO_EXPOSURE: RegionExposure = { reserved: 0, byProduct: {}, pdWeighted: 0, pdAmount: 0, approvals: 0 };

export type LimitBasis =
  | { readonly kind: 'set'; readonly configured: 'region' | 'default' }
  | { readonly kind: 'computed'; readonly configured: 'region' | 'default'; readonly baseLimit: number; readonly observedBadRate: number; readonly referenceBadRate: number; readonly factor: number };

export interface EffectiveLimit {
  readonly limit: number;
  readonly productLimit?: number;
  readonly warnAt: number;
  readonly basis: LimitBasis;
}

export function regionConfig(region: string, table: RegionsTable): { config: RegionLimitConfig; configured: 'region' | 'default' } {
  const own = table.regions[region];
  return own ? { config: own, configured: 'region' } : { config: table.default, configured: 'default' };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function effectiveLimit(region: string, product: string, table: RegionsTable, exposure: RegionExposure): EffectiveLimit {
  const { config, configured } = regionConfig(region, table);
  const productLimit = config.products?.[product];
  const extra = productLimit === undefined ? {} : { productLimit };
  if (!config.computed) return { limit: config.limit ?? 0, warnAt: config.warnAt, basis: { kind: 'set', configured }, ...extra };
  const c = config.computed;
  // Until enough approvals carry a PD, the region is assumed to perform at the reference rate.
  const observedBadRate = exposure.approvals >= c.minApprovals && exposure.pdAmount > 0 ? exposure.pdWeighted / exposure.pdAmount : c.referenceBadRate;
  const factor = clamp(c.referenceBadRate / Math.max(observedBadRate, 1e-9), c.minFactor, c.maxFactor);
  return {
    limit: Math.round(c.baseLimit * factor),
    warnAt: config.warnAt,
    basis: { kind: 'computed', configured, baseLimit: c.baseLimit, observedBadRate, referenceBadRate: c.referenceBadRate, factor },
    ...extra,
  };
}

export interface ReservationCheck {
  readonly region: string;
  readonly product: string;
  readonly amount: number;
  readonly limit: number;
  readonly productLimit?: number;
  readonly reserved: number;
  readonly available: number;
  readonly utilisationAfter: number;
  readonly wouldExceed: boolean;
  readonly nearLimit: boolean;
  readonly basis: LimitBasis;
}

/** Would reserving `amount` stay within the region's limit (and the product's sub-limit)? */
export function checkReservation(region: string, product: string, amount: number, limit: EffectiveLimit, exposure: RegionExposure): ReservationCheck {
  const productReserved = exposure.byProduct[product] ?? 0;
  const available = Math.min(limit.limit - exposure.reserved, limit.productLimit === undefined ? Infinity : limit.productLimit - productReserved);
  const wouldExceed = amount > available;
  const utilisationAfter = limit.limit > 0 ? (exposure.reserved + amount) / limit.limit : Infinity;
  return {
    region,
    product,
    amount,
    limit: limit.limit,
    ...(limit.productLimit === undefined ? {} : { productLimit: limit.productLimit }),
    reserved: exposure.reserved,
    available: Math.max(0, available),
    utilisationAfter,
    wouldExceed,
    nearLimit: !wouldExceed && utilisationAfter >= limit.warnAt,
    basis: limit.basis,
  };
}

// How many recent applications carried the same identifier. Kept in memory so /decide reads no
// disk: rebuilt from the audit store at start, then fed each committed decision.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';

export const VELOCITY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IdentifierSighting {
  readonly type: IdentifierType;
  readonly hash: string;
  /** Epoch milliseconds of the decision. */
  readonly at: number;
}

export type VelocityCounts = Readonly<Record<IdentifierType, number>>;

export class VelocityIndex {
  /** type:hash → ascending decision times within the window (older ones are pruned lazily). */
  private readonly times = new Map<string, number[]>();

  constructor(private readonly windowMs = VELOCITY_WINDOW_MS) {}

  record(sighting: IdentifierSighting): void {
    const key = `${sighting.type}:${sighting.hash}`;
    const list = this.times.get(key);
    if (!list) {
      this.times.set(key, [sighting.at]);
      return;
    }
    // Sightings arrive nearly in order; keep the list sorted for pruning from the front.
    let i = list.length;
    while (i > 0 && (list[i - 1] ?? 0) > sighting.at) i--;
    list.splice(i, 0, sighting.at);
  }

  private count(type: IdentifierType, hash: string, now: number): number {
    const key = `${type}:${hash}`;
    const list = this.times.get(key);
    if (!list) return 0;
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < list.length && (list[drop] ?? 0) <= from) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length === 0) this.times.delete(key);
    return list.length;
  }

  /**
   * Counts per identifier type of applications in the window that carried the same value,
   * including the one being decided (so 1 = first sighting, 0 = identifier absent).
   */
  counts(hashes: Readonly<Partial<Record<IdentifierType, string>>>, now: number): VelocityCounts {
    const out = {} as Record<IdentifierType, number>;
    for (const type of IDENTIFIER_TYPES) {
      const hash = hashes[type];
      out[type] = hash === undefined ? 0 : this.count(type, hash, now) + 1;
    }
    return out;
  }

  /** Drops every identifier last seen before the window; called on a timer. */
  prune(now: number): void {
    const from = now - this.windowMs;
    for (const [key, list] of this.times) if ((list[list.length - 1] ?? 0) <= from) this.times.delete(key);
  }

  get size(): number {
    return this.times.size;
  }
}

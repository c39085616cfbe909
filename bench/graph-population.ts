// A synthetic applicant population for the fraud graph: legitimate applicants who share
// identifiers the way real ones do (households, large and small employers, carrier and office
// IPs, repeat applicants) and planted rings of three shapes. Used by npm run simulate (through
// the real /decide API) and by npm run bench:graph (straight into the graph). Seeded.
import { createHash } from 'node:crypto';
import type { GraphApplication } from '../src/graph/identity-graph';
import { seededRandom } from '../src/graph/rng';
import { IDENTIFIER_TYPES, type IdentifierType, type RawIdentifiers } from '../src/identity/identifiers';

export type RingShape = 'device-farm' | 'account-chain' | 'hub-touching';
export const RING_SHAPES: readonly RingShape[] = ['device-farm', 'account-chain', 'hub-touching'];

export interface SyntheticApplication {
  readonly index: number;
  /** Milliseconds since the population's start. */
  readonly at: number;
  /** Entity number per identifier type: equal numbers are the same phone, device, … */
  readonly ids: Partial<Record<IdentifierType, number>>;
  /** Ring number, or -1 for a legitimate applicant. */
  readonly ring: number;
}

export interface PlantedRing {
  readonly shape: RingShape;
  /** Indices into applications, in arrival order. */
  readonly members: number[];
  readonly start: number;
}

export interface Population {
  readonly applications: SyntheticApplication[];
  readonly rings: PlantedRing[];
  readonly days: number;
}

export interface PopulationOptions {
  readonly size: number;
  readonly seed?: number;
  readonly days?: number;
  /** Share of applications that belong to rings. */
  readonly ringShare?: number;
}

const DAY = 24 * 60 * 60 * 1000;

export function generatePopulation(options: PopulationOptions): Population {
  const N = options.size;
  const days = options.days ?? 90;
  const rnd = seededRandom(options.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const next: Record<IdentifierType, number> = Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, 0])) as Record<IdentifierType, number>;
  const fresh = (t: IdentifierType) => next[t]++;

  // Employers: a few giants, many mid-sized, many small; each with office IPs.
  const giants = Array.from({ length: 20 }, () => ({ id: fresh('employer'), ips: Array.from({ length: 8 }, () => fresh('ip')), switchboard: fresh('phone') }));
  const mids = Array.from({ length: Math.max(5, Math.round(N / 150)) }, () => ({ id: fresh('employer'), ips: [fresh('ip')], switchboard: fresh('phone') }));
  const smalls = Array.from({ length: Math.max(5, Math.round(N / 40)) }, () => ({ id: fresh('employer'), ips: [fresh('ip')], switchboard: fresh('phone') }));
  const carrierIps = Array.from({ length: Math.max(10, Math.round(N / 4000)) }, () => fresh('ip'));
  // Legitimate hubs among identifiers that do link: branch kiosk tablets, apartment blocks
  // written without the flat number, employers' switchboard numbers.
  const kiosks = Array.from({ length: Math.max(2, Math.round(N / 20000)) }, () => fresh('deviceId'));
  const buildings = Array.from({ length: Math.max(2, Math.round(N / 2000)) }, () => fresh('address'));
  const employer = () => {
    const r = rnd();
    if (r < 0.3) return giants[Math.min(giants.length - 1, Math.floor(-Math.log(1 - rnd()) * 4))] as (typeof giants)[number];
    if (r < 0.65) return pick(mids);
    if (r < 0.95) return pick(smalls);
    return undefined;
  };

  interface Household {
    address: number;
    ip: number;
    phone?: number;
    device?: number;
    account?: number;
    members: number;
  }
  const households: Household[] = [];
  const people: Partial<Record<IdentifierType, number>>[] = [];
  const apps: Omit<SyntheticApplication, 'index'>[] = [];

  const ringShare = options.ringShare ?? 0.01;
  const ringApps = Math.round(N * ringShare);
  const legitCount = N - ringApps;
  for (let i = 0; i < legitCount; i++) {
    const at = Math.floor(rnd() * days * DAY);
    if (people.length > 50 && rnd() < 0.02) {
      // A returning applicant: the same person, maybe from another network.
      const person = pick(people);
      apps.push({ at, ids: { ...person, ip: rnd() < 0.5 ? (person.ip as number) : pick(carrierIps) }, ring: -1 });
      continue;
    }
    let home: Household;
    const joinable = households.length > 0 ? (households[Math.floor(rnd() * households.length)] as Household) : undefined;
    const joined = joinable !== undefined && joinable.members < 5 && rnd() < 0.15;
    if (joined) {
      home = joinable;
      home.members++;
    } else {
      home = { address: rnd() < 0.03 ? pick(buildings) : fresh('address'), ip: fresh('ip'), members: 1 };
      if (rnd() < 0.4) home.phone = fresh('phone');
      if (rnd() < 0.15) home.device = fresh('deviceId');
      households.push(home);
    }
    const job = employer();
    const ids: Partial<Record<IdentifierType, number>> = {
      nationalId: fresh('nationalId'),
      email: fresh('email'),
      phone: joined && home.phone !== undefined && rnd() < 0.5 ? home.phone : fresh('phone'),
      deviceId: joined && home.device !== undefined && rnd() < 0.5 ? home.device : fresh('deviceId'),
      address: home.address,
      bankAccount: joined && home.account !== undefined && rnd() < 0.6 ? home.account : fresh('bankAccount'),
    };
    if (!joined && rnd() < 0.3) home.account = ids.bankAccount as number;
    if (rnd() < 0.02) ids.deviceId = pick(kiosks);
    if (job) ids.employer = job.id;
    if (job && rnd() < 0.01) ids.phone = job.switchboard;
    const r = rnd();
    ids.ip = r < 0.45 ? pick(carrierIps) : r < 0.8 || !job ? home.ip : pick(job.ips);
    people.push(ids);
    apps.push({ at, ids, ring: -1 });
  }

  const rings: { shape: RingShape; start: number; members: Omit<SyntheticApplication, 'index'>[] }[] = [];
  let planted = 0;
  while (planted < ringApps) {
    const shape = RING_SHAPES[rings.length % RING_SHAPES.length] as RingShape;
    const size = Math.min(ringApps - planted, shape === 'account-chain' ? int(6, 14) : int(8, 25));
    if (size < 3) break;
    const span = (shape === 'account-chain' ? int(10, 20) : int(2, 7)) * DAY;
    const start = rnd() * Math.max(DAY, days * DAY - span);
    const ring = rings.length;
    const members: Omit<SyntheticApplication, 'index'>[] = [];
    const devices = Array.from({ length: Math.max(2, Math.ceil(size / 6)) }, () => fresh('deviceId'));
    const mules = Array.from({ length: Math.max(2, Math.ceil(size / 5)) }, () => fresh('bankAccount'));
    const phones = Array.from({ length: Math.max(2, Math.ceil(size / 2)) }, () => fresh('phone'));
    const fakeEmployer = fresh('employer');
    const vpn = fresh('ip');
    const hub = giants[0] as (typeof giants)[number];
    let chainAccount = fresh('bankAccount');
    for (let k = 0; k < size; k++) {
      const at = Math.floor(start + rnd() * span);
      const ids: Partial<Record<IdentifierType, number>> = { nationalId: fresh('nationalId'), email: fresh('email') };
      if (shape === 'device-farm') {
        ids.deviceId = devices[k % devices.length] as number;
        ids.bankAccount = pick(mules);
        ids.phone = pick(phones);
        ids.address = rnd() < 0.8 ? fresh('address') : (households[Math.floor(rnd() * households.length)]?.address ?? fresh('address'));
        ids.employer = rnd() < 0.5 ? fakeEmployer : (employer()?.id ?? fakeEmployer);
        ids.ip = rnd() < 0.6 ? vpn : pick(carrierIps);
      } else if (shape === 'account-chain') {
        // Each member shares an account with the previous one and a phone with the one before that.
        ids.bankAccount = chainAccount;
        if (k % 2 === 1) chainAccount = fresh('bankAccount');
        ids.phone = phones[Math.floor(k / 3) % phones.length] as number;
        ids.deviceId = rnd() < 0.3 ? (devices[0] as number) : fresh('deviceId');
        ids.address = fresh('address');
        ids.employer = employer()?.id ?? fakeEmployer;
        ids.ip = pick(carrierIps);
      } else {
        // Touches legitimate hubs: a giant employer, carrier IPs, branch kiosks, apartment blocks, real households' addresses.
        ids.deviceId = rnd() < 0.25 ? pick(kiosks) : (devices[k % devices.length] as number);
        ids.bankAccount = rnd() < 0.5 ? pick(mules) : fresh('bankAccount');
        ids.phone = fresh('phone');
        const r = rnd();
        ids.address = r < 0.2 ? pick(buildings) : r < 0.4 ? (households[Math.floor(rnd() * households.length)]?.address ?? fresh('address')) : fresh('address');
        ids.employer = hub.id;
        ids.ip = rnd() < 0.7 ? pick(carrierIps) : pick(hub.ips);
      }
      members.push({ at, ids, ring });
    }
    rings.push({ shape, start, members });
    planted += size;
  }

  const all = [...apps, ...rings.flatMap((r) => r.members)].sort((x, y) => x.at - y.at);
  const applications = all.map((a, index) => ({ ...a, index }));
  const ringMembers = rings.map(() => [] as number[]);
  for (const a of applications) if (a.ring >= 0) ringMembers[a.ring]?.push(a.index);
  return { applications, rings: rings.map((r, i) => ({ shape: r.shape, start: r.start, members: ringMembers[i] ?? [] })), days };
}

/** A stand-in for the service's keyed hash of a synthetic identifier (64 hex digits, like HMAC-SHA256). */
export function syntheticHash(type: IdentifierType, entity: number): string {
  return createHash('sha256').update(`${type}\u0000${entity}`).digest('hex');
}

/** The identifiers as an applicant would type them, with the trivial variants normalisation must link. */
export function rawIdentifiers(app: SyntheticApplication, variant: number): RawIdentifiers {
  const out: RawIdentifiers = {};
  const v = variant % 3;
  for (const [type, n] of Object.entries(app.ids) as [IdentifierType, number][]) {
    const digits = String(n).padStart(8, '0');
    switch (type) {
      case 'phone':
        out.phone = v === 0 ? `+86 139 ${digits.slice(0, 4)} ${digits.slice(4)}` : v === 1 ? `139${digits}` : `0086-139-${digits}`;
        break;
      case 'email':
        out.email = v === 1 ? ` Person.${n}@Example.com ` : `person.${n}@example.com`;
        break;
      case 'nationalId':
        out.nationalId = `11010519${digits}X`;
        break;
      case 'deviceId':
        out.deviceId = v === 2 ? `DEV-${digits}-ABCD` : `dev-${digits}-abcd`;
        break;
      case 'ip':
        out.ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
        break;
      case 'address':
        out.address = v === 1 ? `${n}  High Street, Flat 2` : `${n} high street flat 2`;
        break;
      case 'bankAccount':
        out.bankAccount = v === 0 ? `GB29 NWBK 6016 13${digits}` : `GB29NWBK601613${digits}`;
        break;
      case 'employer':
        out.employer = v === 2 ? `EMPLOYER ${n} LTD.` : `Employer ${n} Ltd`;
        break;
    }
  }
  return out;
}

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
const hex8 = (x: number) => x.toString(16).padStart(8, '0');
const TYPE_NUMBER = Object.fromEntries(IDENTIFIER_TYPES.map((t, i) => [t, i])) as Record<IdentifierType, number>;

/**
 * A fast stand-in for large benchmarks: the first 8 hex digits are a bijective mix of (type,
 * entity), so distinct identifiers never collide on the bits the graph keys on.
 */
export function fastSyntheticHash(type: IdentifierType, entity: number): string {
  const k = ((TYPE_NUMBER[type] << 27) | entity) >>> 0;
  const a = mix32(k);
  const b = mix32(k ^ 0x9e3779b9);
  return `${hex8(a)}${hex8(b)}${hex8(mix32(b))}${hex8(mix32(a ^ 0x7f4a7c15))}`.padEnd(64, '0');
}

/** Straight into the graph: synthetic hashes, a placeholder masked form, a given outcome. */
export function graphApplicationOf(app: SyntheticApplication, start: number, outcome: string, hash = syntheticHash, fraudEvidence = false): GraphApplication {
  return {
    fraudEvidence,
    applicationId: `SIM-${app.index}`,
    decidedAt: start + app.at,
    outcome,
    identifiers: (Object.entries(app.ids) as [IdentifierType, number][]).map(([type, n]) => ({ type, hash: hash(type, n), masked: `${type} ***` })),
  };
}

/** Outcomes when bypassing /decide: some rings are caught by credit rules, few legitimate applicants are. */
export function syntheticOutcome(app: SyntheticApplication, rnd: () => number): string {
  const r = rnd();
  if (app.ring >= 0) return r < 0.3 ? 'decline' : r < 0.5 ? 'review' : 'approve';
  return r < 0.08 ? 'decline' : r < 0.18 ? 'review' : 'approve';
}

export interface Detection {
  /** Ring members inside a suspicious cluster / all ring members. */
  readonly recall: number;
  /** Suspicious clusters whose members are mostly ring members / all suspicious clusters. */
  readonly clusterPrecision: number;
  /** Ring members / all applications inside suspicious clusters. */
  readonly memberPrecision: number;
  readonly suspiciousClusters: number;
  readonly legitimateFlagged: number;
  /** Per shape: ring-member recall. */
  readonly recallByShape: Readonly<Record<RingShape, number>>;
}

/** Scores a clustering against the planted rings (indices are population indices). */
export function evaluateDetection(
  population: Population,
  clusterOf: (index: number) => number,
  isSuspicious: (cluster: number) => boolean,
): Detection {
  const perCluster = new Map<number, { ring: number; all: number }>();
  let ringMembers = 0;
  let caught = 0;
  let legitimateFlagged = 0;
  const byShape = Object.fromEntries(RING_SHAPES.map((s) => [s, { n: 0, caught: 0 }])) as Record<RingShape, { n: number; caught: number }>;
  for (const app of population.applications) {
    const c = clusterOf(app.index);
    const flagged = c >= 0 && isSuspicious(c);
    if (flagged) {
      const e = perCluster.get(c) ?? { ring: 0, all: 0 };
      e.all++;
      if (app.ring >= 0) e.ring++;
      perCluster.set(c, e);
    }
    if (app.ring >= 0) {
      const shape = (population.rings[app.ring] as PlantedRing).shape;
      ringMembers++;
      byShape[shape].n++;
      if (flagged) {
        caught++;
        byShape[shape].caught++;
      }
    } else if (flagged) legitimateFlagged++;
  }
  const clusters = [...perCluster.values()];
  const inFlagged = clusters.reduce((n, e) => n + e.all, 0);
  return {
    recall: ringMembers ? caught / ringMembers : 1,
    clusterPrecision: clusters.length ? clusters.filter((e) => e.ring * 2 > e.all).length / clusters.length : 1,
    memberPrecision: inFlagged ? caught / inFlagged : 1,
    suspiciousClusters: clusters.length,
    legitimateFlagged,
    recallByShape: Object.fromEntries(RING_SHAPES.map((s) => [s, byShape[s].n ? byShape[s].caught / byShape[s].n : 1])) as Record<RingShape, number>,
  };
}

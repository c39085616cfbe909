// Small identity graphs for the graph's property tests: applications with named identifiers
// (the name stands in for the keyed hash) and the shipped rules/fraud/clusters.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterConfig } from '../../src/graph/config';
import { IdentityGraph, type GraphApplication } from '../../src/graph/identity-graph';
import { seededRandom } from '../../src/graph/rng';
import type { IdentifierType } from '../../src/identity/identifiers';

export const CONFIG = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../rules/fraud/clusters.json'), 'utf8')) as ClusterConfig;

export const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);

let sequence = 0;

/** An application carrying the given identifiers (type → value standing in for its hash). */
export function app(ids: Partial<Record<IdentifierType, string>>, options: { id?: string; at?: number; outcome?: string; fraudEvidence?: boolean } = {}): GraphApplication {
  sequence++;
  return {
    applicationId: options.id ?? `A${sequence}`,
    decidedAt: T0 + (options.at ?? sequence * 60_000),
    outcome: options.outcome ?? 'approve',
    fraudEvidence: options.fraudEvidence ?? false,
    identifiers: Object.entries(ids).map(([type, hash]) => ({ type, hash: hash as string, masked: `${type} ***` })),
  };
}

/** Unrelated applicants: every identifier their own, some sharing a carrier IP and big employers. */
export function background(n: number, seed: number, at = (i: number) => i * DAY): GraphApplication[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) =>
    app(
      {
        nationalId: `bg-nid-${seed}-${i}`,
        email: `bg-mail-${seed}-${i}`,
        phone: `bg-phone-${seed}-${i}`,
        deviceId: `bg-dev-${seed}-${i}`,
        bankAccount: `bg-acct-${seed}-${i}`,
        address: `bg-addr-${seed}-${i}`,
        ip: `carrier-${Math.floor(rnd() * 3)}`,
        employer: `big-employer-${Math.floor(rnd() * 2)}`,
      },
      { at: at(i) },
    ),
  );
}

/**
 * A device farm: `size` applicants over two days on `devices` devices, paid into `mules` accounts
 * (co-prime counts interlock them). From a device's third application on, the fraud stage's
 * velocity rule fires (independent fraud evidence), as it does for a real farm.
 */
export function deviceFarm(size: number, tag: string, options: { devices?: number; mules?: number; start?: number } = {}): GraphApplication[] {
  const devices = options.devices ?? 2;
  const mules = options.mules ?? 3;
  return Array.from({ length: size }, (_, k) =>
    app(
      {
        nationalId: `${tag}-nid-${k}`,
        email: `${tag}-mail-${k}`,
        phone: `${tag}-phone-${k}`,
        deviceId: `${tag}-dev-${k % devices}`,
        bankAccount: `${tag}-mule-${k % mules}`,
        address: `${tag}-addr-${k}`,
        ip: 'carrier-0',
      },
      { at: (options.start ?? 0) + (k * 2 * DAY) / size, fraudEvidence: k >= devices * 2 },
    ),
  );
}

/** A household: members share address, a landline and a joint account, applying months apart. */
export function household(size: number, tag: string, start = 0): GraphApplication[] {
  return Array.from({ length: size }, (_, k) =>
    app(
      {
        nationalId: `${tag}-nid-${k}`,
        email: `${tag}-mail-${k}`,
        phone: k < 2 ? `${tag}-landline` : `${tag}-mobile-${k}`,
        deviceId: k < 2 ? `${tag}-tablet` : `${tag}-dev-${k}`,
        bankAccount: k < 2 ? `${tag}-joint` : `${tag}-acct-${k}`,
        address: `${tag}-home`,
        ip: `${tag}-home-ip`,
      },
      { at: start + k * 40 * DAY },
    ),
  );
}

export function graphOf(...groups: GraphApplication[][]): IdentityGraph {
  const graph = new IdentityGraph();
  for (const a of groups.flat().sort((x, y) => x.decidedAt - y.decidedAt)) graph.add(a);
  return graph;
}

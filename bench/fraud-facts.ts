// The fraud stage's graph facts (src/graph/fraud-facts.ts) are O(degree): a hub identifier (a
// carrier-grade NAT address, a big employer) is counted, never walked, so its size costs nothing.
// This prints the time of one fraudFacts() call against hubs of growing size, and against a ring
// member whose linking identifiers are walked; the per-call time should stay flat as the hub grows.
// test/graph/fraud-facts.test.ts checks the behaviour (the hub is never walked); the figures are here.
//   npx tsx bench/fraud-facts.ts [--hubs 1000,10000,100000] [--calls 2000]
// Also printed first by npm run bench:graph (--skip-facts to leave it out).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClusterConfig } from '../src/graph/config';
import { fraudFacts } from '../src/graph/fraud-facts';
import { IdentityGraph, type GraphApplication } from '../src/graph/identity-graph';
import type { IdentifierType } from '../src/identity/identifiers';

const config = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../rules/fraud/clusters.json'), 'utf8')) as ClusterConfig;

const application = (id: string, ids: Partial<Record<IdentifierType, string>>): GraphApplication => ({
  applicationId: id,
  decidedAt: Date.UTC(2026, 0, 1),
  outcome: 'approve',
  fraudEvidence: false,
  identifiers: Object.entries(ids).map(([type, hash]) => ({ type, hash: hash as string, masked: `${type} ***` })),
});

/** Microseconds per call, median of five rounds of `calls` calls (after a warm-up round). */
function perCall(calls: number, work: () => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) work();
    if (r > 0) rounds.push(((performance.now() - t) * 1000) / calls);
  }
  return rounds.sort((a, b) => a - b)[2] as number;
}

export function fraudFactsBench(options: { hubs?: readonly number[]; calls?: number } = {}): void {
  const hubs = options.hubs ?? [1_000, 10_000, 100_000];
  const calls = options.calls ?? 2_000;
  console.log(`\nfraudFacts() per call (O(degree): the hub is counted, not walked; median of 5 × ${calls.toLocaleString('en')} calls, no clustering)`);
  console.log('hub carriers   hub only µs   hub + ring member µs');
  for (const size of hubs) {
    const graph = new IdentityGraph();
    for (let i = 0; i < size; i++) graph.add(application(`H${i}`, { ip: 'cgnat', nationalId: `hub-nid-${i}` }));
    // A ring of 10 sharing two devices and three mule accounts, also behind the hub's address.
    for (let k = 0; k < 10; k++) graph.add(application(`R${k}`, { ip: 'cgnat', nationalId: `ring-nid-${k}`, deviceId: `ring-dev-${k % 2}`, bankAccount: `ring-mule-${k % 3}` }));
    const facts = (identifiers: Partial<Record<IdentifierType, string>>) => fraudFacts({ graph, clustering: undefined, clusterOf: () => -1, linking: config.linking, identifiers });
    if (facts({ ip: 'cgnat' }).identifierReuse.ip !== size + 10) throw new Error('the hub was not counted');
    const hubOnly = perCall(calls, () => facts({ ip: 'cgnat' }));
    const withRing = perCall(calls, () => facts({ ip: 'cgnat', deviceId: 'ring-dev-0', bankAccount: 'ring-mule-1' }));
    console.log(`${size.toLocaleString('en').padStart(12)}${hubOnly.toFixed(2).padStart(14)}${withRing.toFixed(2).padStart(23)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  fraudFactsBench({ hubs: option('hubs')?.split(',').map(Number), calls: option('calls') === undefined ? undefined : Number(option('calls')) });
}

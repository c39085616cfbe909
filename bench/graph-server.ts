// bench:graph's server process: the real service (temp data dir, no scheduled reclusters) whose
// fraud graph is pre-filled straight from the synthetic population (GRAPH_BENCH_SIZE
// applications), so a recluster takes long enough to measure /decide while it runs.
// IPC: {cmd: 'recluster-loop', on} starts or stops back-to-back reclusters; each reports its time.
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../src/config/settings';
import { seededRandom } from '../src/graph/rng';
import { createService } from '../src/main';
import { createLogger } from '../src/observability/logger';
import { fastSyntheticHash, generatePopulation, graphApplicationOf, syntheticOutcome } from './graph-population';

const size = Number(process.env.GRAPH_BENCH_SIZE ?? 300000);
const settings = loadSettings({ ...process.env, LOG_LEVEL: 'silent', RULES_WATCH: 'false', GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' });
const service = await createService(settings, createLogger('silent'));
const population = generatePopulation({ size, seed: 11 });
const rnd = seededRandom(12);
const start = Date.now() - population.days * 24 * 60 * 60 * 1000;
for (const app of population.applications) service.graph.identity.add(graphApplicationOf(app, start, syntheticOutcome(app, rnd), fastSyntheticHash));
population.applications.length = 0;
await service.graph.recluster();

let looping = false;
async function loop(): Promise<void> {
  while (looping) {
    const summary = await service.graph.recluster();
    process.send?.({ reclustered: summary?.totalMs ?? null, applications: summary?.applications ?? null });
  }
}
process.on('message', (message: { cmd: string; on?: boolean }) => {
  if (message.cmd === 'recluster-loop') {
    const was = looping;
    looping = message.on === true;
    if (looping && !was) void loop();
  }
});

const server = service.app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port, applications: service.graph.identity.applications });
});
process.on('SIGTERM', () => {
  looping = false;
  server.close(() => void service.close().then(() => process.exit(0)));
  server.closeAllConnections();
});

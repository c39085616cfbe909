// Clusterings shared by replicas: the replica holding the recluster lease publishes each one it
// computes (a row by generation and a stream event, in one transaction); the others load it when
// the event reaches them (replica.ts), after the decisions before it. Investigators then get the
// same GET /clusters answer from any replica, and Louvain runs once, not on every replica.
import type { Pool } from 'pg';
import { decodePublished, encodePublished, type PortableClustering } from '../../graph/published-clustering';
import { publishEvent } from './decision-stream';
import { inTransaction } from './decisions';

/** Generations kept besides the latest (a replica loading one just replaced still finds it). */
const KEPT = 4;

export async function publishClustering(pool: Pool, clustering: PortableClustering, timeoutMs: number): Promise<void> {
  await inTransaction(pool, timeoutMs, async (client) => {
    await client.query('INSERT INTO clusterings (generation, computed_at, payload) VALUES ($1, $2, $3)', [clustering.generation, clustering.at, encodePublished(clustering)]);
    await client.query('DELETE FROM clusterings WHERE generation < $1', [clustering.generation - KEPT]);
    await publishEvent(client, `clustering/${clustering.generation}`, { kind: 'clustered', generation: clustering.generation });
  });
}

/** The clustering of `generation` (the latest where undefined); undefined where none is kept. */
export async function readClustering(pool: Pool, generation?: number): Promise<PortableClustering | undefined> {
  const { rows } =
    generation === undefined
      ? await pool.query<{ payload: Buffer }>('SELECT payload FROM clusterings ORDER BY generation DESC LIMIT 1')
      : await pool.query<{ payload: Buffer }>('SELECT payload FROM clusterings WHERE generation = $1', [generation]);
  return rows[0] && decodePublished(rows[0].payload);
}

/** Asks the lease holder to recluster now (an investigator's request that reached another replica). */
export async function requestRecluster(pool: Pool, requestId: string, timeoutMs: number): Promise<void> {
  await inTransaction(pool, timeoutMs, (client) => publishEvent(client, `recluster/${requestId}`, { kind: 'recluster_requested' }));
}

// One replica at a time holds a lease (the recluster's): on a real PostgreSQL, three replicas'
// pools race for it and exactly one wins; the others get it only after release, or after the
// holder's connection dies (a killed replica never keeps the job); schemas never share a lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryLease } from '../../../src/store/postgres/lease';
import { createTestSchema, type TestSchema } from '../../support/pg';

let schema: TestSchema;
let other: TestSchema;

beforeAll(async () => {
  schema = await createTestSchema('lease');
  other = await createTestSchema('lease_other');
});
afterAll(async () => {
  await schema?.drop();
  await other?.drop();
});

describe('a lease', () => {
  it('goes to exactly one of three replicas racing for it, and to another once released', async () => {
    const replicas = [schema.newPool(2), schema.newPool(2), schema.newPool(2)];
    const leases = await Promise.all(replicas.map((pool) => tryLease(pool, 'recluster')));
    expect(leases.filter(Boolean)).toHaveLength(1);
    const holder = leases.findIndex(Boolean);
    expect(await tryLease(replicas[(holder + 1) % 3] as import('pg').Pool, 'recluster')).toBeUndefined();
    // Another name is another lease.
    const retention = await tryLease(replicas[(holder + 1) % 3] as import('pg').Pool, 'retention');
    expect(retention).toBeDefined();
    await retention?.release();

    await leases[holder]?.release();
    await leases[holder]?.release();
    const next = await tryLease(replicas[(holder + 1) % 3] as import('pg').Pool, 'recluster');
    expect(next).toBeDefined();
    await next?.release();
  });

  it("ends with its holder's connection: a replica cut off loses it, says so, and another takes it", async () => {
    const [a, b] = [schema.newPool(2), schema.newPool(2)];
    const lease = await tryLease(a, 'recluster');
    expect(lease).toBeDefined();
    expect(await tryLease(b, 'recluster')).toBeUndefined();
    // The holder's backend is terminated, as when its replica is killed or its network fails.
    const { rows } = await schema.pool.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (hashtextextended(current_schema() || ':recluster', 0) & x'ffffffff'::bigint)::oid",
    );
    expect(rows).toHaveLength(1);
    await schema.pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    expect((await lease?.lost)?.message).toMatch(/terminat/i);
    const taken = await tryLease(b, 'recluster');
    expect(taken).toBeDefined();
    await taken?.release();
    await lease?.release();
  });

  it('is scoped to its schema: deployments sharing a database never hold each other’s', async () => {
    const mine = await tryLease(schema.pool, 'recluster');
    const theirs = await tryLease(other.pool, 'recluster');
    expect(mine).toBeDefined();
    expect(theirs).toBeDefined();
    await mine?.release();
    await theirs?.release();
  });
});

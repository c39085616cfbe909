import { describe, expect, it } from 'vitest';
import { VelocityIndex } from '../../src/velocity/velocity-index';

const HOUR = 3_600_000;

describe('VelocityIndex', () => {
  it('counts sightings within the window, the current application included', () => {
    const index = new VelocityIndex(24 * HOUR);
    const now = 100 * HOUR;
    for (const ago of [1, 2, 23, 25]) index.record({ type: 'phone', hash: 'p', at: now - ago * HOUR });
    const counts = index.counts({ phone: 'p', deviceId: 'new' }, now);
    expect(counts.phone).toBe(4);
    expect(counts.deviceId).toBe(1);
    expect(counts.email).toBe(0);
  });

  it('accepts sightings out of order and prunes identifiers idle for a whole window', () => {
    const index = new VelocityIndex(10);
    index.record({ type: 'phone', hash: 'a', at: 5 });
    index.record({ type: 'phone', hash: 'a', at: 3 });
    index.record({ type: 'phone', hash: 'b', at: 50 });
    expect(index.counts({ phone: 'a' }, 12).phone).toBe(3); // two earlier + this one
    index.prune(56);
    expect(index.size).toBe(1);
  });
});

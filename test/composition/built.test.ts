// The composition root closes what it built, newest first, also after a failed start.
import { describe, expect, it } from 'vitest';
import { Assembly } from '../../src/composition/built';

describe('Assembly', () => {
  it('closes parts in the reverse order they were built, async ones awaited', async () => {
    const closed: string[] = [];
    const parts = new Assembly();
    expect(await parts.add({ value: 'store', close: () => void closed.push('store') })).toBe('store');
    await parts.add(Promise.resolve({ value: 'graph', close: async () => void closed.push('graph') }));
    await parts.add({ value: 'http', close: () => void closed.push('http') });
    await parts.close();
    expect(closed).toEqual(['http', 'graph', 'store']);
    await parts.close();
    expect(closed).toHaveLength(3);
  });

  it('a part that fails to close does not keep the others open; its error is reported after', async () => {
    const closed: string[] = [];
    const parts = new Assembly();
    await parts.add({ value: 1, close: () => void closed.push('first') });
    await parts.add({ value: 2, close: () => { throw new Error('cannot close'); } });
    await parts.add({ value: 3, close: () => void closed.push('third') });
    await expect(parts.close()).rejects.toThrow('cannot close');
    expect(closed).toEqual(['third', 'first']);
  });

  it('a part that fails to build leaves the earlier ones to close', async () => {
    const closed: string[] = [];
    const parts = new Assembly();
    await parts.add({ value: 'rules', close: () => void closed.push('rules') });
    await expect(parts.add(Promise.reject(new Error('bad model')))).rejects.toThrow('bad model');
    await parts.close();
    expect(closed).toEqual(['rules']);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdentifierTable } from '../../src/graph/identifier-table';

const hex = (i: number) => createHash('sha256').update(String(i)).digest('hex');

describe('IdentifierTable', () => {
  it('maps every (type, hash) it was given back to its value, across growth', () => {
    const table = new IdentifierTable(4);
    for (let i = 0; i < 5000; i++) table.set(i % 8, hex(i), i);
    expect(table.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(table.get(i % 8, hex(i))).toBe(i);
    expect(table.get(0, hex(5001))).toBe(-1);
  });

  it('keeps the same hash under two types apart, and handles non-hex keys', () => {
    const table = new IdentifierTable();
    table.set(1, hex(1), 10);
    table.set(2, hex(1), 20);
    table.set(3, 'not-a-hash', 30);
    expect([table.get(1, hex(1)), table.get(2, hex(1)), table.get(3, 'not-a-hash'), table.get(3, 'not-a-hasH')]).toEqual([10, 20, 30, -1]);
  });

  it('overwrites a value set twice without growing', () => {
    const table = new IdentifierTable();
    table.set(0, hex(7), 1);
    table.set(0, hex(7), 2);
    expect(table.size).toBe(1);
    expect(table.get(0, hex(7))).toBe(2);
  });
});

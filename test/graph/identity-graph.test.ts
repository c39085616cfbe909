import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/identity-graph';
import { app } from './fixtures';

describe('IdentityGraph', () => {
  it('links applications through identifier nodes keyed type:hash, made when a second application shares them', () => {
    const graph = new IdentityGraph();
    graph.add(app({ phone: 'p1', deviceId: 'd1' }, { id: 'X' }));
    expect(graph.graph.order).toBe(1);
    expect(graph.sharedIdentifiers).toBe(0);
    graph.add(app({ phone: 'p1', deviceId: 'd2' }, { id: 'Y' }));
    expect(graph.graph.hasNode('phone:p1')).toBe(true);
    expect(graph.graph.hasNode('deviceId:d1')).toBe(false);
    expect(graph.graph.neighbors('phone:p1').sort()).toEqual(['app:X', 'app:Y']);
    expect(graph.graph.getNodeAttributes('phone:p1')).toMatchObject({ kind: 'identifier', type: 'phone', masked: 'phone ***' });
    expect(graph.countOn(graph.identifierIndex('phone', 'p1'))).toBe(2);
    expect(graph.countOn(graph.identifierIndex('deviceId', 'd1'))).toBe(1);
  });

  it('adding an application twice is a no-op (rebuilds and retries)', () => {
    const graph = new IdentityGraph();
    const a = app({ phone: 'p1' }, { id: 'X' });
    expect(graph.add(a)).toBe(true);
    expect(graph.add(a)).toBe(false);
    expect(graph.applications).toBe(1);
    expect(graph.links).toBe(1);
  });

  it('walks an identifier’s applications and an application’s identifiers in O(degree)', () => {
    const graph = new IdentityGraph();
    for (let i = 0; i < 5; i++) graph.add(app({ deviceId: 'farm', email: `e${i}` }, { id: `F${i}` }));
    const seen: string[] = [];
    graph.forEachApplicationOn(graph.identifierIndex('deviceId', 'farm'), (a) => seen.push(graph.applicationId(a)));
    expect(seen.sort()).toEqual(['F0', 'F1', 'F2', 'F3', 'F4']);
    const ids: string[] = [];
    graph.forEachIdentifierOf(graph.indexOf('F3') as number, (j) => ids.push(graph.typeOf(j)));
    expect(ids.sort()).toEqual(['deviceId', 'email']);
  });

  it('a snapshot is a consistent prefix: later additions and labels do not change it', () => {
    const graph = new IdentityGraph();
    for (let i = 0; i < 20; i++) graph.add(app({ deviceId: `d${i % 3}`, phone: `p${i}` }));
    const snapshot = graph.snapshot();
    const before = { links: Array.from(snapshot.linkIdentifier.subarray(0, snapshot.links)), label: Array.from(snapshot.label) };
    for (let i = 0; i < 2000; i++) graph.add(app({ deviceId: `d${i % 3}`, phone: `q${i}` }));
    graph.setLabel(0, 'fraud');
    expect(Array.from(snapshot.linkIdentifier.subarray(0, snapshot.links))).toEqual(before.links);
    expect(Array.from(snapshot.label)).toEqual(before.label);
    expect(snapshot.applications).toBe(20);
  });

  it('labels keep per-identifier fraud counts, undone when the label changes', () => {
    const graph = new IdentityGraph();
    graph.add(app({ deviceId: 'd', phone: 'p' }, { id: 'X' }));
    const x = graph.indexOf('X') as number;
    graph.setLabel(x, 'fraud');
    expect(graph.fraudOnIdentifier(graph.identifierIndex('deviceId', 'd'))).toBe(1);
    expect(graph.labelOf(x)).toBe('fraud');
    graph.setLabel(x, 'legit');
    expect(graph.fraudOnIdentifier(graph.identifierIndex('deviceId', 'd'))).toBe(0);
    expect(graph.labelOf(x)).toBe('legit');
  });
});

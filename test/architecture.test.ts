// The architecture as the folders show it: http → decision → pure domains → store, identity.
// A domain never imports the decision flow, the HTTP layer, the CLI or the composition root, and
// no module imports itself back through others.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');
const DOMAINS = ['rules', 'scoring', 'graph', 'limits', 'approval', 'identity', 'store', 'velocity'];
const ABOVE_DOMAINS = ['decision', 'http', 'cli', 'main.ts', 'access', 'config', 'composition'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.(ts|mjs)$/.test(e.name) ? [full] : [];
  });
}

/** Each source file's imports of other source files (type-only imports included: they couple too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1] as string);
      if (target.startsWith(SRC)) targets.push(path.relative(SRC, target).replace(/\.(ts|js|mjs)$/, '').replace(/\/index$/, ''));
    }
    graph.set(path.relative(SRC, file).replace(/\.(ts|mjs)$/, '').replace(/\/index$/, ''), targets);
  }
  return graph;
}

describe('architecture', () => {
  const graph = importGraph();

  it('reads every source file (the scan works)', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('decision/service')).toContain('decision/flow');
  });

  it('no domain imports the decision flow, the HTTP layer, the CLI, access control, settings or main', () => {
    const offending: string[] = [];
    for (const [file, targets] of graph) {
      if (!DOMAINS.includes(file.split('/')[0] as string)) continue;
      for (const t of targets) if (ABOVE_DOMAINS.some((a) => t === a.replace(/\.ts$/, '') || t.startsWith(`${a}/`))) offending.push(`${file} → ${t}`);
    }
    expect(offending).toEqual([]);
  });

  it('the console (src/console) is browser code on its own: it imports nothing from the server, and nothing there imports it', () => {
    const offending: string[] = [];
    for (const [file, targets] of graph) {
      const inConsole = file.startsWith('console/');
      for (const t of targets) if (inConsole !== t.startsWith('console/')) offending.push(`${file} → ${t}`);
    }
    expect([...graph.keys()].filter((f) => f.startsWith('console/')).length).toBeGreaterThan(5);
    expect(offending).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });
});

// The fact registry is the contract: the real stages produce exactly the facts it declares, from
// the stage it names, with exactly the keys a rule may name; docs/rules.md lists every fact with
// that stage.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACT_CATALOG, FACT_NAMES, type FactName } from '../../src/rules/facts';
import type { StageName } from '../../src/rules/ruleset';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

/** Object facts keyed by identifier type or applicant field carry only the keys that apply. */
const PARTIAL_KEYS: ReadonlySet<FactName> = new Set(['identifiers', 'identifierValidity', 'velocity']);

describe('fact registry', () => {
  let server: TestServer;
  let facts: Record<string, unknown>;
  let setBy: Map<string, StageName | undefined>;

  beforeAll(async () => {
    server = await startTestServer();
    const decided = await server.post(
      '/decide',
      application({ identifiers: { phone: '+86 139 0000 1188', email: 'fact@example.org', deviceId: 'device-facts-1', nationalId: '110105194912310025' } }),
    );
    expect(decided.status).toBe(200);
    const stored = (await server.get(`/decisions/${decided.body.decisionId}`)).body as { facts: Record<string, unknown>; stages: { stage: StageName; facts: Record<string, unknown> }[] };
    facts = stored.facts;
    setBy = new Map();
    for (const stage of stored.stages) for (const name of Object.keys(stage.facts)) if (!setBy.has(name)) setBy.set(name, stage.stage);
  });
  afterAll(() => server.close());

  it('every declared fact is produced by a decision, and nothing undeclared is', () => {
    // priorOutcome and priorReasons are set by the flow runner for each stage, not kept in the document.
    const produced = Object.keys(facts).filter((n) => n !== 'priorOutcome' && n !== 'priorReasons');
    expect(new Set(produced)).toEqual(new Set(FACT_NAMES.filter((n) => n !== 'priorOutcome' && n !== 'priorReasons')));
  });

  it('each fact comes from the stage the registry names (or from the application)', () => {
    for (const name of FACT_NAMES) {
      if (name === 'priorOutcome' || name === 'priorReasons') continue;
      expect(setBy.get(name), name).toBe(FACT_CATALOG[name].producedBy);
    }
  });

  it("each object fact has exactly the keys a rule may name (`properties`)", () => {
    for (const name of FACT_NAMES) {
      const spec = FACT_CATALOG[name];
      const value = facts[name];
      if (!spec.properties) {
        expect(value === null || typeof value !== 'object' || Array.isArray(value), `${name} has keys but declares no properties`).toBe(true);
        continue;
      }
      const keys = Object.keys(value as object);
      expect(keys.filter((k) => !spec.properties?.includes(k)), `${name}: keys not declared`).toEqual([]);
      if (!PARTIAL_KEYS.has(name)) {
        // productLimit is present only where the region sets a sub-limit for the product.
        expect(spec.properties.filter((k) => !keys.includes(k) && !(name === 'exposure' && k === 'productLimit')), `${name}: declared keys missing`).toEqual([]);
      }
    }
  });

  it("docs/rules.md's fact table lists every fact, with the stage that sets it", () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/rules.md'), 'utf8');
    const rows = new Map<string, string>();
    for (const line of doc.split('\n').filter((l) => l.startsWith('| `'))) {
      const [names = '', stage = ''] = line.split('|').slice(1, 3);
      for (const m of names.replace(/\(path[^)]*\)/g, '').matchAll(/`([A-Za-z]+)`/g)) rows.set(m[1] as string, stage.trim());
    }
    for (const name of FACT_NAMES) {
      expect(rows.has(name), `${name} is missing from docs/rules.md`).toBe(true);
      expect(rows.get(name), name).toBe(FACT_CATALOG[name].producedBy ?? 'before any');
    }
  });
});

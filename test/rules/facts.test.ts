// The fact registry is the contract: the real stages produce exactly the facts it declares, from
// the stage it names, with exactly the keys a rule may name and values of the declared types;
// docs/rules.md's fact table is the one the registry renders.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApplicationSchema } from '../../src/decision/application';
import { compileRuleSet } from '../../src/rules/compile';
import { factReferenceMarkdown } from '../../src/rules/fact-reference';
import { conformanceProblems, factType, ruleSetDomains, type ComparisonContext } from '../../src/rules/fact-types';
import { FACT_CATALOG, FACT_NAMES, type FactName } from '../../src/rules/facts';
import { readRuleFiles } from '../../src/rules/load';
import type { StageName } from '../../src/rules/ruleset';
import { application } from '../support/factories';
import { REPO_RULES, startTestServer, type TestServer } from '../support/server';

/** Object facts keyed by identifier type or applicant field carry only the keys that apply. */
const PARTIAL_KEYS: ReadonlySet<FactName> = new Set(['identifiers', 'identifierValidity', 'velocity']);

describe('fact registry', () => {
  let server: TestServer;
  let facts: Record<string, unknown>;
  let setBy: Map<string, StageName | undefined>;
  /** Every decision's facts: a clean approve, and one that goes to review with adverse factors. */
  let decided: Record<string, unknown>[];

  beforeAll(async () => {
    server = await startTestServer();
    const stored = [];
    for (const body of [
      application({ identifiers: { phone: '+86 139 0000 1188', email: 'fact@example.org', deviceId: 'device-facts-1', nationalId: '110105194912310025' } }),
      application({
        amount: 15000,
        termMonths: 60,
        applicant: { checkingAccountStatus: 'lt_0', creditHistory: 'delay', savingsAccountBonds: 'lt_100', employmentDuration: 'unemployed', installmentRatePct: 4 },
        identifiers: { phone: '+86 139 0000 1189', deviceId: 'device-facts-2' },
      }),
    ]) {
      const response = await server.post('/decide', body);
      expect(response.status).toBe(200);
      stored.push((await server.get(`/decisions/${response.body.decisionId}`)).body as { facts: Record<string, unknown>; stages: { stage: StageName; facts: Record<string, unknown> }[] });
    }
    const first = stored[0];
    if (!first) throw new Error('no decision');
    facts = first.facts;
    decided = stored.map((s) => s.facts);
    setBy = new Map();
    for (const stage of first.stages) for (const name of Object.keys(stage.facts)) if (!setBy.has(name)) setBy.set(name, stage.stage);
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

  it('every value a decision produced is of its declared type (in the shipped rules, under the request schema)', async () => {
    const compiled = compileRuleSet(await readRuleFiles(REPO_RULES), { hashIdentifier: (type, raw) => `${type}:${raw}` });
    if (!compiled.ok) throw new Error('the shipped rules do not compile');
    const { ruleSet } = compiled;
    const context: ComparisonContext = {
      applicationSchema: buildApplicationSchema(),
      domains: ruleSetDomains(ruleSet.reasons.keys(), (relPath) => ruleSet.tables.get(relPath)),
    };
    // The second decision is the one with adverse factors: the list is checked item by item.
    expect(decided.some((f) => ((f.score as { adverseFactors?: unknown[] } | undefined)?.adverseFactors ?? []).length > 0)).toBe(true);
    for (const produced of decided) {
      for (const [name, value] of Object.entries(produced)) {
        const type = factType(name, context);
        expect(type, `${name} is declared`).toBeDefined();
        if (type) expect(conformanceProblems(value, type, context), name).toEqual([]);
      }
    }
  });

  it("docs/rules.md's fact table is the one the registry renders (npm run rules:facts)", () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/rules.md'), 'utf8');
    const table = /<!-- facts:begin -->\n([\s\S]*?)<!-- facts:end -->/.exec(doc)?.[1];
    expect(table, 'docs/rules.md has the <!-- facts:begin --> … <!-- facts:end --> markers').toBeDefined();
    // When this fails, paste `npm run rules:facts` between the markers.
    expect(table).toBe(factReferenceMarkdown());
  });

  it('the rendered table lists every fact, with the stage that sets it', () => {
    const rows = factReferenceMarkdown().split('\n');
    for (const name of FACT_NAMES) {
      const row = rows.find((r) => r.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      expect(row?.split('|')[4]?.trim(), name).toBe(FACT_CATALOG[name].producedBy ?? 'before any');
    }
  });
});

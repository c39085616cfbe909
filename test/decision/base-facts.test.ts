// The identifier facts every flow starts from, and micro_loan's thin-identity rule reading them:
// placeholders are not carried, junk values are carried but not valid, and only valid ones count.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/decision/application';
import { runFlow } from '../../src/decision/flow';
import { baseFacts } from '../../src/decision/document';
import type { FraudFacts } from '../../src/graph/fraud-facts';
import { IDENTIFIER_TYPES, IdentifierProtector, type RawIdentifiers } from '../../src/identity/identifiers';
import { loadRuleSet } from '../../src/rules/load';
import type { RuleSet } from '../../src/rules/ruleset';

const protector = new IdentifierProtector(Buffer.from('k'.repeat(32)), { defaultCountryCode: '86' });

function application(identifiers: RawIdentifiers): Application {
  return {
    applicationId: 'A-1',
    product: 'micro_loan',
    region: 'east',
    amount: 800,
    termMonths: 12,
    applicant: {} as Application['applicant'],
    identifiers,
  };
}

const factsOf = (identifiers: RawIdentifiers) => baseFacts(application(identifiers), protector.protect(identifiers));

const GARBAGE = { phone: '+86 138 0013 8000', employer: 'xyz', address: '12', ip: '999.1.1.1', deviceId: 'abc', email: 'N/A', nationalId: 'unknown', bankAccount: '0000000' };
const SOLID = { phone: '+86 138 0013 8000', employer: 'Acme Trading Co., Ltd.', address: '88 Jianguo Road, Chaoyang District, Beijing', ip: '58.32.1.7' };

describe('baseFacts: identifier facts', () => {
  it('counts carried identifiers (placeholders are not carried) and valid ones apart', () => {
    const facts = factsOf(GARBAGE);
    expect(Object.keys(facts.identifiers as object).sort()).toEqual(['address', 'deviceId', 'employer', 'ip', 'phone']);
    expect(facts.identifierCount).toBe(5);
    expect(facts.identifierValidity).toEqual({ phone: true, deviceId: false, ip: false, address: false, employer: false });
    expect(facts.validIdentifierCount).toBe(1);
  });

  it('keeps `identifiers` as type → keyed hash, for the blocklist rules', () => {
    const facts = factsOf(SOLID);
    expect((facts.identifiers as Record<string, string>).phone).toBe(protector.hash('phone', '13800138000'));
    expect(facts.identifierCount).toBe(4);
    expect(facts.validIdentifierCount).toBe(4);
  });

  it('an application without identifiers has none of either', () => {
    const facts = factsOf({});
    expect(facts).toMatchObject({ identifiers: {}, identifierCount: 0, identifierValidity: {}, validIdentifierCount: 0 });
  });
});

describe("micro_loan's thin-identity rule counts valid identifiers", () => {
  let ruleSet: RuleSet;
  beforeAll(async () => {
    const loaded = await loadRuleSet(path.resolve(import.meta.dirname, '../../rules'), { hashIdentifier: (type, raw) => protector.hash(type, raw) });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    ruleSet = loaded.ruleSet;
  });

  const NO_GRAPH_LINKS: FraudFacts = {
    clusterId: null,
    clusterSuspicious: false,
    clusterScore: 0,
    clusterSize: 0,
    clusterFlags: [],
    clusterGangScore: null,
    sharedWithLabelledFraud: false,
    labelledFraudHops: 0,
    linkedApplications: 0,
    identifierReuse: Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, 0])) as FraudFacts['identifierReuse'],
  };

  /** The reasons micro_loan's fraud stage gives, with no velocity and no graph links. */
  async function fraudReasons(identifiers: RawIdentifiers): Promise<string[]> {
    const flow = ruleSet.flows.get('micro_loan');
    if (!flow) throw new Error('no micro_loan flow');
    const result = await runFlow({
      flow: { ...flow, stages: flow.stages.filter((s) => s.name === 'fraud') },
      reasons: ruleSet.reasons,
      tables: ruleSet.tables,
      facts: factsOf(identifiers),
      providers: { fraud: () => ({ velocity: {}, fraud: NO_GRAPH_LINKS }) },
    });
    return result.reasons.map((r) => r.code);
  }

  it('junk employer, address, IP and device id do not lift an applicant out of THIN_IDENTITY', async () => {
    expect(await fraudReasons(GARBAGE)).toContain('THIN_IDENTITY');
  });

  it('three or more valid identifiers are not a thin identity', async () => {
    expect(await fraudReasons(SOLID)).not.toContain('THIN_IDENTITY');
  });

  it('placeholders for every identifier leave a thin identity', async () => {
    expect(await fraudReasons({ phone: 'N/A', email: 'none', nationalId: 'unknown', deviceId: '-', ip: '0.0.0.0' })).toContain('THIN_IDENTITY');
  });
});

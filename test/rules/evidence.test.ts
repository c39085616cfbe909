import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/rules/load';
import { fraudEvidenceReasons, hasFraudEvidence } from '../../src/rules/evidence';
import { REPO_RULES } from '../support/server';

describe('independent fraud evidence', () => {
  it('is what fraud-stage rules give without reading the graph: velocity and identity, not the graph’s own verdict, not credit', async () => {
    const loaded = await loadRuleSet(REPO_RULES, { hashIdentifier: (_t, raw) => raw });
    if (!loaded.ok) throw new Error('shipped rules are invalid');
    const codes = fraudEvidenceReasons(loaded.ruleSet);
    expect(codes).toContain('VELOCITY_DEVICE');
    expect(codes).toContain('VELOCITY_PHONE');
    expect(codes).not.toContain('FRAUD_RING_SUSPECTED');
    expect(codes).not.toContain('LINKED_TO_CONFIRMED_FRAUD');
    expect(codes).not.toContain('RISK_GRADE_TOO_LOW');
    expect(hasFraudEvidence(loaded.ruleSet, ['RISK_GRADE_TOO_LOW', 'FRAUD_RING_SUSPECTED'])).toBe(false);
    expect(hasFraudEvidence(loaded.ruleSet, ['RISK_GRADE_TOO_LOW', 'VELOCITY_DEVICE'])).toBe(true);
  });
});

// The approval stage's facts: the level that must sign this loan (rules/approval/authority.json),
// from the reasons the stages before it gave.
import { AUTHORITY_TABLE, requiredAuthority, type AuthorityMatrix, type RequiredAuthority } from '../../approval/authority';
import { factOf, lendingAmount } from '../../rules/facts';
import type { Facts } from '../../rules/ruleset';
import type { StageProvider } from '../flow';

/** The authority matrix applied to a decision's facts and the given reason codes (one place for both uses). */
export function authorityFor(facts: Facts, reasons: readonly string[], tables: ReadonlyMap<string, unknown>): RequiredAuthority {
  return requiredAuthority({ amount: lendingAmount(facts), grade: factOf(facts, 'score')?.grade, reasons }, tables.get(AUTHORITY_TABLE) as AuthorityMatrix);
}

export const approvalFacts: StageProvider = ({ facts, tables }) => {
  const required = authorityFor(facts, factOf(facts, 'priorReasons') ?? [], tables);
  return { approval: { requiredLevel: required.level, matrixLevel: required.matrixLevel, amountBand: required.band, escalatedBy: required.escalatedBy } };
};

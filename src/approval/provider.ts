// The approval stage's facts: the level that must sign this loan (rules/approval/authority.json).
import type { StageProvider } from '../decision/flow';
import { requiredAuthority, type AuthorityMatrix } from './authority';

export const AUTHORITY_TABLE = 'approval/authority.json';

export const approvalFacts: StageProvider = ({ facts, tables }) => {
  const score = facts.score as { grade: string } | undefined;
  const offer = facts.offer as { limit: number } | undefined;
  const required = requiredAuthority(
    { amount: offer?.limit ?? (facts.amount as number), grade: score?.grade, reasons: (facts.priorReasons as string[] | undefined) ?? [] },
    tables.get(AUTHORITY_TABLE) as AuthorityMatrix,
  );
  return { approval: { requiredLevel: required.level, matrixLevel: required.matrixLevel, amountBand: required.band, escalatedBy: required.escalatedBy } };
};

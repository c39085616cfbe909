// Staged approval authority: which level of officer must sign a loan, from the matrix of
// amount bands × risk grade in rules/approval/authority.json, raised by escalations that earlier
// stages' reasons trigger. Pure.

export const APPROVAL_LEVELS = ['auto', 'L1', 'L2', 'L3'] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

/** The table's path under rules/. */
export const AUTHORITY_TABLE = 'approval/authority.json';

/** The approval stage's `approval` fact. */
export interface ApprovalFacts {
  readonly requiredLevel: ApprovalLevel;
  readonly matrixLevel: ApprovalLevel;
  readonly amountBand: number;
  readonly escalatedBy: readonly string[];
}

export interface AuthorityMatrix {
  readonly amountBands: readonly { readonly upTo?: number; readonly grades: Readonly<Record<string, ApprovalLevel>> }[];
  readonly ungraded: ApprovalLevel;
  readonly escalations: readonly { readonly reasons: readonly string[]; readonly atLeast: ApprovalLevel; readonly why?: string }[];
}

export interface AuthorityInput {
  /** The amount being lent: the offered limit when the model scored, else the amount requested. */
  readonly amount: number;
  /** Risk grade; undefined when the model did not score. */
  readonly grade: string | undefined;
  /** Reason codes given by the stages before approval. */
  readonly reasons: readonly string[];
}

export interface RequiredAuthority {
  readonly level: ApprovalLevel;
  /** The matrix's level before escalations. */
  readonly matrixLevel: ApprovalLevel;
  readonly band: number;
  readonly escalatedBy: readonly string[];
}

export const levelRank = (level: ApprovalLevel): number => APPROVAL_LEVELS.indexOf(level);
export const higherLevel = (a: ApprovalLevel, b: ApprovalLevel): ApprovalLevel => (levelRank(b) > levelRank(a) ? b : a);
export const isApprovalLevel = (value: unknown): value is ApprovalLevel => (APPROVAL_LEVELS as readonly unknown[]).includes(value);

export function requiredAuthority(input: AuthorityInput, matrix: AuthorityMatrix): RequiredAuthority {
  let band = matrix.amountBands.findIndex((b) => b.upTo === undefined || input.amount <= b.upTo);
  if (band < 0) band = matrix.amountBands.length - 1;
  const grades = matrix.amountBands[band]?.grades ?? {};
  // A grade the band does not list is treated like an ungraded application: never silently automatic.
  const matrixLevel = input.grade === undefined ? matrix.ungraded : (grades[input.grade] ?? higherLevel(matrix.ungraded, 'L1'));
  let level = matrixLevel;
  const escalatedBy: string[] = [];
  for (const escalation of matrix.escalations) {
    const hit = escalation.reasons.find((r) => input.reasons.includes(r));
    if (!hit) continue;
    escalatedBy.push(hit);
    level = higherLevel(level, escalation.atLeast);
  }
  return { level, matrixLevel, band, escalatedBy };
}

/**
 * The level that must sign the decision as it stands: none for an automatic approve or decline
 * ("auto"); for a review, at least L1, since a person must decide.
 */
export function approvalLevelFor(outcome: 'approve' | 'review' | 'decline', required: ApprovalLevel | undefined): ApprovalLevel {
  if (outcome !== 'review') return 'auto';
  return higherLevel(required ?? 'L1', 'L1');
}

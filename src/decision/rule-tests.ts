// Analysts' rule test cases (rules/tests/*.json): an application, optional earlier sightings of
// its identifiers, and the outcome and reason codes the rules must reach. Each case runs the
// real flow with the real stage providers, in isolation (its own velocity history).
import type { ApprovalLevel } from '../approval/authority';
import { VelocityIndex } from '../velocity/velocity-index';
import { ExposureBook } from '../limits/exposure-book';
import type { IdentifierProtector, IdentifierType, RawIdentifiers } from '../identity/identifiers';
import type { Outcome, RuleSet } from '../rules/ruleset';
import type { Application } from './application';
import { UnknownProductError } from './errors';
import type { StageProviders } from './flow';
import { evaluateApplication } from './service';

export interface RuleTestCase {
  readonly description?: string;
  readonly application: Application;
  readonly history?: readonly { readonly identifiers: RawIdentifiers; readonly minutesAgo: number }[];
  /** Exposure already reserved per region before this application. */
  readonly exposure?: Readonly<Record<string, number>>;
  readonly expect: { readonly outcome: Outcome; readonly approvalLevel?: ApprovalLevel; readonly reasons?: readonly string[]; readonly absentReasons?: readonly string[] };
}

export interface RuleTestResult {
  readonly outcome: Outcome;
  readonly approvalLevel?: ApprovalLevel;
  readonly reasons: readonly string[];
  /** Empty when the case passed. */
  readonly failures: readonly string[];
}

export interface RuleTestDeps {
  readonly ruleSet: RuleSet;
  readonly protector: IdentifierProtector;
  /** Builds the stage providers for one case around its own velocity history. */
  readonly providers: (velocity: VelocityIndex, exposure: ExposureBook, clock: () => number) => StageProviders;
  readonly now?: number;
}

export async function runRuleTestCase(testCase: RuleTestCase, deps: RuleTestDeps): Promise<RuleTestResult> {
  const now = deps.now ?? Date.now();
  const velocity = new VelocityIndex();
  for (const earlier of testCase.history ?? []) {
    for (const [type, value] of Object.entries(earlier.identifiers)) {
      if (value === undefined) continue;
      velocity.record({ type: type as IdentifierType, hash: deps.protector.hash(type as IdentifierType, value), at: now - earlier.minutesAgo * 60_000 });
    }
  }
  const exposure = new ExposureBook();
  for (const [region, amount] of Object.entries(testCase.exposure ?? {})) exposure.apply({ region, product: '(earlier approvals)', amount, pd: null }, 1);
  let result;
  let approvalLevel;
  try {
    ({ result, approvalLevel } = await evaluateApplication({
      application: testCase.application,
      ruleSet: deps.ruleSet,
      protector: deps.protector,
      providers: deps.providers(velocity, exposure, () => now),
    }));
  } catch (err) {
    if (err instanceof UnknownProductError) return { outcome: 'review', reasons: [], failures: [err.message] };
    throw err;
  }
  const reasons = result.reasons.map((r) => r.code);
  const failures: string[] = [];
  if (result.outcome !== testCase.expect.outcome) failures.push(`outcome: expected ${testCase.expect.outcome}, got ${result.outcome}`);
  if (testCase.expect.approvalLevel && approvalLevel !== testCase.expect.approvalLevel) failures.push(`approvalLevel: expected ${testCase.expect.approvalLevel}, got ${approvalLevel}`);
  for (const code of testCase.expect.reasons ?? []) if (!reasons.includes(code)) failures.push(`reason ${code}: expected, not given`);
  for (const code of testCase.expect.absentReasons ?? []) if (reasons.includes(code)) failures.push(`reason ${code}: given, expected absent`);
  for (const stage of result.stages) if (stage.fallback) failures.push(`stage ${stage.stage} fell back (${stage.fallback.cause}: ${stage.fallback.detail ?? ''})`);
  return { outcome: result.outcome, approvalLevel, reasons, failures };
}

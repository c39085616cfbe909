// What an approval becomes against its region's limit: the flow's onLimitExceeded outcome when
// there is no room, a warning reason past the threshold. Pure; applied to the tentative check
// during evaluation and again, authoritatively, when the store commits the reservation.
import type { ExposurePolicy, Outcome, Reason, ReasonSpec } from '../rules/ruleset';

export interface ExposureVerdict {
  readonly wouldExceed: boolean;
  readonly nearLimit: boolean;
}

export function applyExposurePolicy(
  decision: { readonly outcome: Outcome; readonly reasons: readonly Reason[] },
  verdict: ExposureVerdict,
  policy: ExposurePolicy,
  messages: ReadonlyMap<string, ReasonSpec>,
): { outcome: Outcome; reasons: Reason[] } {
  const reasons = [...decision.reasons];
  if (decision.outcome !== 'approve') return { outcome: decision.outcome, reasons };
  const add = (code: string) => {
    if (!reasons.some((r) => r.code === code)) reasons.push({ code, stage: 'limits', message: messages.get(code)?.message ?? code });
  };
  if (verdict.wouldExceed) {
    add(policy.onLimitExceeded.reason);
    return { outcome: policy.onLimitExceeded.outcome, reasons };
  }
  if (verdict.nearLimit) add(policy.onLimitNear.reason);
  return { outcome: 'approve', reasons };
}

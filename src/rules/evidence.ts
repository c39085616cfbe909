// Which reasons are independent fraud evidence: those given by fraud-stage rules that do not read
// the fraud graph's own verdict (blocklists, velocity, identity checks). A credit-risk decline is
// no evidence of fraud, and a graph rule's reason is the graph's conclusion, not new evidence:
// counting it would let a cluster's flag feed on itself.
import type { RuleSet } from './ruleset';

/** The graph's facts as rules see them (src/rules/facts.ts: produced by the fraud stage's graph provider). */
export const GRAPH_FACT = 'fraud';

function readsFact(conditions: unknown, fact: string): boolean {
  if (Array.isArray(conditions)) return conditions.some((c) => readsFact(c, fact));
  if (!conditions || typeof conditions !== 'object') return false;
  const c = conditions as Record<string, unknown>;
  if (c.fact === fact) return true;
  if (c.value && typeof c.value === 'object' && (c.value as Record<string, unknown>).fact === fact) return true;
  return ['all', 'any', 'not'].some((k) => k in c && readsFact(c[k], fact));
}

const cache = new WeakMap<object, ReadonlySet<string>>();

/** Reason codes that count as independent fraud evidence, over every flow of the rule set (memoised per rule set). */
export function fraudEvidenceReasons(ruleSet: Pick<RuleSet, 'flows'>): ReadonlySet<string> {
  const known = cache.get(ruleSet);
  if (known) return known;
  const codes = new Set<string>();
  for (const flow of ruleSet.flows.values()) {
    for (const stage of flow.stages) {
      if (stage.name !== 'fraud') continue;
      for (const rule of stage.rules) {
        const reason = rule.event.params?.reason;
        if (reason && !readsFact(rule.conditions, GRAPH_FACT)) codes.add(reason);
      }
    }
  }
  cache.set(ruleSet, codes);
  return codes;
}

/** Whether any of these reason codes is independent fraud evidence under the rule set. */
export function hasFraudEvidence(ruleSet: Pick<RuleSet, 'flows'>, codes: Iterable<string>): boolean {
  const evidence = fraudEvidenceReasons(ruleSet);
  for (const code of codes) if (evidence.has(code)) return true;
  return false;
}

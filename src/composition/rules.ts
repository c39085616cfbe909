// The rule set: loaded and checked at start (an invalid one stops the start), hot-reloaded on
// edits, the last good version serving when an edit is rejected.
import type { IdentifierProtector } from '../identity/identifiers';
import { formatDiagnostic } from '../rules/diagnostics';
import { RuleSetHolder } from '../rules/hot-reload';
import { loadRuleSet } from '../rules/load';
import { StartupError, type Built, type Root } from './built';

export async function buildRules({ settings, logger, metrics }: Root, protector: IdentifierProtector): Promise<Built<RuleSetHolder>> {
  const compile = () => loadRuleSet(settings.rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
  const initial = await compile();
  if (!initial.ok) {
    throw new StartupError(`rules in ${settings.rulesDir} are invalid:\n  ${initial.diagnostics.map(formatDiagnostic).join('\n  ')}`);
  }
  const rules = new RuleSetHolder(initial.ruleSet, compile, {
    onReloaded: (ruleSet, previous) => {
      metrics.ruleReloads.inc({ result: 'loaded' });
      metrics.ruleSetValid.set(1);
      metrics.ruleSetInfo.reset();
      metrics.ruleSetInfo.set({ version: ruleSet.version }, 1);
      logger.info({ version: ruleSet.version, previous: previous.version }, 'rules reloaded');
    },
    onRejected: (rejection) => {
      metrics.ruleReloads.inc({ result: 'rejected' });
      metrics.ruleSetValid.set(0);
      logger.error({ errors: rejection.messages, serving: rules.current.version }, 'rules edit rejected; the last good rule set keeps serving');
    },
    onUnchanged: () => metrics.ruleReloads.inc({ result: 'unchanged' }),
  });
  metrics.ruleSetValid.set(1);
  metrics.ruleSetInfo.set({ version: initial.ruleSet.version }, 1);
  if (settings.watchRules) rules.watch(settings.rulesDir);
  return { value: rules, close: () => rules.close() };
}

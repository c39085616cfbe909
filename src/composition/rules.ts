// The rule set: loaded and checked at start (an invalid one stops the start), hot-reloaded on
// edits, the last good version serving when an edit is rejected; and what /ready says about it.
import { applicationSchemaFor } from '../decision/application';
import type { ReadinessCheck } from '../http/app';
import type { IdentifierProtector } from '../identity/identifiers';
import { compileRuleSet, type CompileResult, type RuleFileText } from '../rules/compile';
import { formatDiagnostic } from '../rules/diagnostics';
import { RuleSetHolder } from '../rules/hot-reload';
import { readRuleFiles } from '../rules/load';
import { StartupError, type Built, type Root } from './built';
import type { Models } from './models';

/**
 * How the service compiles rule files (loaded, reloaded, or archived versions replayed).
 * @param models the credit model's card sets the request's categories, which rules on the
 *   applicant are checked against (a rule comparing employmentDuration with "unemploye" never fires).
 */
export function ruleCompiler(settings: Root['settings'], protector: IdentifierProtector, models: Models): (files: readonly RuleFileText[]) => CompileResult {
  const applicationSchema = applicationSchemaFor(models.card);
  return (files) => compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema, evaluator: settings.rulesEvaluator });
}

export async function buildRules({ settings, logger, metrics }: Root, protector: IdentifierProtector, models: Models): Promise<Built<RuleSetHolder>> {
  const compile = ruleCompiler(settings, protector, models);
  const initial = compile(await readRuleFiles(settings.rulesDir));
  if (!initial.ok) {
    throw new StartupError(`rules in ${settings.rulesDir} are invalid:\n  ${initial.diagnostics.map(formatDiagnostic).join('\n  ')}`);
  }
  const rules = new RuleSetHolder(initial.ruleSet, {
    rulesDir: settings.rulesDir,
    compile,
    listener: {
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
    },
  });
  metrics.ruleSetValid.set(1);
  metrics.ruleSetInfo.set({ version: initial.ruleSet.version }, 1);
  if (settings.watchRules) await rules.watch();
  return { value: rules, close: () => rules.close() };
}

/**
 * The rules check of /ready: which set serves and since when. Degraded, never not-ready (the last
 * good set still decides), when the last edit was rejected or the folder has held something else
 * for longer than an edit takes to load.
 */
export function rulesReadiness(rules: RuleSetHolder): ReadinessCheck {
  const serving = `rule set ${rules.current.version}, loaded ${rules.loadedAgeSeconds()} s ago`;
  const disk = rules.diskState();
  const rejection = rules.lastRejection;
  if (rejection) {
    return { ok: true, degraded: true, detail: `serving ${serving}; the last edit was rejected at ${rejection.at.toISOString()} (see GET /rules)` };
  }
  if (rules.reloadOverdue()) {
    const held = disk.diskVersion ? `rule set ${disk.diskVersion}` : 'rule files that cannot be read';
    return { ok: true, degraded: true, detail: `serving ${serving}, but the rules folder has held ${held} since ${disk.differsSince?.toISOString()} and it has not loaded (see GET /rules)` };
  }
  if (!rules.isWatching) return { ok: true, detail: `${serving}; the rules folder is not watched (RULES_WATCH=false)` };
  return { ok: true, detail: disk.matchesLoaded ? `${serving}; the rules folder matches it` : `${serving}; an edit in the rules folder is loading` };
}

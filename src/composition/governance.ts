// Rule governance beside the serving path: backtests of candidate rule sets asked for over HTTP,
// run in threads at the lowest priority against the store's history, and the champion-challenger
// report of shadow flows. A backtest a stopped process left running is marked interrupted at
// start; a stop ends what runs (marked to ask again).
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Backtests } from '../decision/backtests';
import { runBacktest } from '../decision/backtest-run';
import { shadowReportOf, type ShadowReport } from '../decision/shadow';
import { periodOf } from '../store/history-reader';
import type { RuleSetHolder } from '../rules/hot-reload';
import type { IdentifierProtector } from '../identity/identifiers';
import type { Built, Root } from './built';
import type { Decisions } from './decisions';
import type { Models } from './models';
import { ruleCompiler } from './rules';
import type { Stores } from './store';

export interface Governance {
  readonly backtests: Backtests;
  readonly shadowReport: (product: string, from: number, to: number) => ShadowReport | undefined;
}

export async function buildGovernance(
  { settings, logger, metrics, clock }: Root,
  parts: { keys: readonly Buffer[]; protector: IdentifierProtector; rules: RuleSetHolder; models: Models; stores: Stores; decided: Decisions },
): Promise<Built<Governance>> {
  const { rules, models, stores: { store }, decided: { ruleVersions } } = parts;
  const backtests = new Backtests({
    store,
    storeFile: path.join(settings.dataDir, 'audit.db'),
    current: () => rules.current,
    archivedFiles: (version) => ruleVersions.files(version)?.files,
    compile: ruleCompiler(settings, parts.protector, models),
    job: { keys: parts.keys, defaultCountryCode: settings.defaultPhoneCountryCode, card: models.card },
    threads: settings.backtestThreads > 0 ? settings.backtestThreads : availableParallelism(),
    run: runBacktest,
    clock,
    onFinished: (status, ms) => {
      metrics.backtests.inc({ status });
      logger.info({ status, seconds: Math.round(ms / 100) / 10 }, 'backtest finished');
    },
  });
  const interrupted = await backtests.recover();
  if (interrupted) logger.warn({ backtests: interrupted }, 'backtests interrupted by the last stop are marked failed');
  const shadowReport = (product: string, from: number, to: number) =>
    rules.current.flows.has(product) ? shadowReportOf(product, periodOf({ from, to }), store.shadowTotals(product, from, to)) : undefined;
  return { value: { backtests, shadowReport }, close: () => backtests.close() };
}

// Deciding and everything around a decision: admission control, the decision service with the
// standard stage providers, the lifecycle (sign-offs, cancels, expiry sweep), history import and
// the retention sweep.
import type { Logger } from 'pino';
import { Admission } from '../decision/admission';
import { applicationSchemaFor } from '../decision/application';
import { buildHistoryLineSchema, HistoryService } from '../decision/history';
import { DecisionLifecycle } from '../decision/lifecycle';
import { RetentionSweeper } from '../decision/retention';
import { LoanOutcomes, type Calibration } from '../decision/outcomes';
import { RuleSetVersions } from '../decision/rule-set-versions';
import type { DecisionDocument } from '../decision/document';
import { DecisionService } from '../decision/service';
import { ShadowRunner } from '../decision/shadow';
import { standardProviders } from '../decision/stages';
import { compileChecker } from '../http/validation';
import type { IdentifierProtector } from '../identity/identifiers';
import { regionLabel, REGIONS_TABLE, type RegionsTable } from '../limits/regions';
import { EventLoopDelay } from '../observability/event-loop';
import { reportPsi, type Metrics } from '../observability/metrics';
import { factOf } from '../rules/facts';
import type { RuleSetHolder } from '../rules/hot-reload';
import type { Built, Root } from './built';
import type { FraudGraphPart } from './fraud-graph';
import type { Models } from './models';
import { ruleCompiler } from './rules';
import { withLease } from '../store/postgres/lease';
import type { Stores } from './store';

export interface Decisions {
  readonly decisions: DecisionService;
  readonly lifecycle: DecisionLifecycle;
  readonly history: HistoryService;
  readonly admission: Admission;
  readonly retention: RetentionSweeper;
  readonly applicationSchema: object;
  readonly historyLineSchema: object;
  readonly ruleVersions: RuleSetVersions;
  readonly outcomes: LoanOutcomes;
}

export async function buildDecisions(root: Root, protector: IdentifierProtector, rules: RuleSetHolder, models: Models, stores: Stores, fraud: FraudGraphPart): Promise<Built<Decisions>> {
  const { settings, logger, metrics, clock, overrides } = root;
  const { store, graphStore, exposure, velocity } = stores;
  const { graph, remember } = fraud;
  const applicationSchema = applicationSchemaFor(models.card);
  const historyLineSchema = buildHistoryLineSchema(applicationSchema);
  const history = new HistoryService({
    store,
    labels: graphStore,
    protector,
    ruleSet: () => rules.current,
    clock,
    validate: compileChecker(historyLineSchema),
    ...(stores.replica ? { shared: stores.replica.replica } : {}),
    onImported: (imported) => {
      for (const { row, label } of imported) {
        remember(row);
        if (label) graph.label(row.applicationId, label);
      }
      logger.info({ applications: imported.length }, 'history imported');
    },
  });

  const loopDelay = new EventLoopDelay();
  const admission = new Admission(
    { slots: settings.decideSlots, queue: settings.decideQueue, maxWaitMs: settings.decideQueueWaitMs, maxLoopDelayMs: settings.decideMaxEventLoopDelayMs },
    () => loopDelay.recentMaxMs(),
  );
  const loadGauges = setInterval(() => {
    metrics.decisionsInFlight.set(admission.inFlight);
    metrics.decisionsQueued.set(admission.queued);
    metrics.eventLoopDelay.set(loopDelay.recentMaxMs());
  }, 1000).unref();
  const { psi } = models;
  const versions = new RuleSetVersions({ store, current: () => rules.current, compile: ruleCompiler(settings, protector, models), clock });
  // Every rule set the service loads is archived: at start, and within a second of a reload (the
  // first decision of a version waits for its archive in any case).
  await versions.archive(rules.current);
  const archiveTimer = setInterval(() => versions.archive(rules.current).catch((err: unknown) => logger.error({ err: (err as Error).message }, 'archiving the rule set failed; retried')), 1000).unref();
  const shadow = new ShadowRunner({
    write: (row) => store.writeShadow(row),
    saturated: () => admission.saturated(),
    onResult: (product, result) => metrics.shadowDecisions.inc({ product, result }),
    onWriteFailed: (err) => logger.error({ err: err.message }, 'a shadow decision could not be stored; the decision stands'),
  });
  const decisions = new DecisionService({
    shadow,
    archiveRuleSet: (ruleSet) => versions.archive(ruleSet),
    ruleSetOfVersion: (version) => versions.ofVersion(version),
    admission,
    onShed: (reason) => metrics.decisionsShed.inc({ reason }),
    store,
    committer: stores.committer,
    ruleSet: () => rules.current,
    protector,
    clock,
    modelVersion: () => models.credit?.version,
    providers: {
      ...standardProviders({
        velocity,
        exposure,
        graph,
        clock,
        scoring: {
          model: () => models.credit,
          unavailableReason: () => models.creditLoad.detail,
          onScored: (ms, pd) => {
            metrics.modelDuration.observe(ms);
            if (psi) {
              psi.record(pd);
              reportPsi(metrics, psi.value(), psi.sample);
            }
          },
        },
      }),
      ...overrides.providers,
    },
    onCommitted: (row, document) => remember(row, factOf(document.facts, 'fraud')?.clusterId),
    observer: {
      onDecision: (doc) => logDecision(logger, metrics, doc, rules.current.tables.get(REGIONS_TABLE) as RegionsTable),
      onReplay: () => metrics.replays.inc(),
    },
  });

  const calibrationGauges = (calibration: readonly Calibration[]) => {
    for (const c of calibration) {
      metrics.observedBadRate.set({ grade: c.grade }, c.observedBadRate);
      metrics.predictedPd.set({ grade: c.grade }, c.predictedPd);
    }
  };
  const outcomes = new LoanOutcomes(store, stores.changer, clock, (outcome, calibration, here) => {
    // Counted where reported (replicas' counters add up); calibration is every replica's whole view.
    if (here) metrics.loanOutcomes.inc({ status: outcome.status });
    calibrationGauges(calibration);
  });
  calibrationGauges(outcomes.calibration());

  const lifecycle = new DecisionLifecycle({
    changer: stores.changer,
    ruleSet: () => rules.current,
    clock,
    onReleased: (r, reason) => {
      metrics.exposureReleases.inc({ reason });
      logger.info({ decisionId: r.decisionId, region: r.region, amount: r.amount, reason }, 'exposure released');
    },
  });
  // On replicas, the one holding the sweep's lease sweeps (two sweeping at once would be safe, a
  // release happening once, but would do the work twice).
  const shared = stores.replica;
  const sweep = shared ? () => withLease(shared.pool, 'expiry-sweep', () => lifecycle.expireDue()) : () => lifecycle.expireDue();
  const expireDue = () => sweep().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'expiring approvals failed'));
  await expireDue();
  const expiryTimer = setInterval(() => void expireDue(), settings.expirySweepMs).unref();
  // On replicas, the one holding the sweep's lease purges the shared database (every copy follows
  // from the stream); each fits its own graph to the window.
  const retention = new RetentionSweeper({
    store,
    graphStore,
    graph,
    policy: fraud.retentionPolicy,
    ...(shared ? { target: shared.retention, exclusive: (passes) => withLease(shared.pool, 'retention-sweep', passes) } : {}),
    clock,
    onPurged: (kind, count) => metrics.retentionPurged.inc({ kind }, count),
  });
  const retentionSweep = () =>
    retention
      .sweep()
      .then((r) => {
        if (r.identifiers || r.decisions || r.graph) logger.info({ ...r, ms: Math.round(r.ms) }, 'retention sweep');
      })
      .catch((err: unknown) => logger.error({ err: (err as Error).message }, 'retention sweep failed; the next one carries on'));
  // The first sweep a minute after start (not during it), then on the period.
  const retentionTimers =
    settings.retentionSweepMs > 0 ? [setTimeout(() => void retentionSweep(), Math.min(60_000, settings.retentionSweepMs)).unref(), setInterval(() => void retentionSweep(), settings.retentionSweepMs).unref()] : [];

  return {
    value: { decisions, lifecycle, history, admission, retention, applicationSchema, historyLineSchema, ruleVersions: versions, outcomes },
    close: async () => {
      for (const t of retentionTimers) clearTimeout(t);
      clearInterval(expiryTimer);
      clearInterval(archiveTimer);
      clearInterval(loadGauges);
      loopDelay.close();
      await retention.close();
      // Shadow runs end within their budgets; their rows are written before the store closes.
      await shadow.idle();
    },
  };
}

/** Metrics and the log line of one decision. Region labels come from the configuration only (regionLabel), never from the request. */
function logDecision(logger: Logger, metrics: Metrics, doc: DecisionDocument, regions: RegionsTable): void {

  const region = regionLabel(doc.region, regions);
  metrics.decisions.inc({ product: doc.product, outcome: doc.outcome });
  metrics.decisionDuration.observe({ product: doc.product }, doc.timings.totalMs);
  const fallbacks: string[] = [];
  for (const stage of doc.stages) {
    metrics.stageDuration.observe({ stage: stage.stage }, stage.durationMs);
    if (stage.fallback) {
      metrics.stageFallbacks.inc({ stage: stage.stage, cause: stage.fallback.cause });
      if (stage.stage === 'scoring') metrics.modelFallbacks.inc({ cause: stage.fallback.cause });
      fallbacks.push(`${stage.stage}:${stage.fallback.cause}`);
    }
    for (const r of stage.rules) if (r.fired) metrics.ruleHits.inc({ product: doc.product, stage: stage.stage, rule: r.rule });
  }
  for (const r of doc.reasons) metrics.reasons.inc({ code: r.code });
  const exposure = factOf(doc.facts, 'exposure');
  if (doc.outcome === 'approve' && exposure) metrics.regionUtilisation.set({ region }, exposure.limit > 0 ? (exposure.reserved + exposure.amount) / exposure.limit : 1);
  if (doc.reasons.some((r) => r.code === 'REGION_LIMIT_NEAR')) metrics.regionLimitNear.inc({ region });
  if (doc.reasons.some((r) => r.code === 'REGION_LIMIT_EXCEEDED')) metrics.regionLimitExceeded.inc({ region });
  logger.info(
    {
      decisionId: doc.decisionId,
      applicationId: doc.applicationId,
      product: doc.product,
      region: doc.region,
      outcome: doc.outcome,
      reasons: doc.reasons.map((r) => r.code),
      rulesVersion: doc.versions.rules,
      totalMs: doc.timings.totalMs,
      ...(fallbacks.length ? { fallbacks } : {}),
    },
    'decision',
  );
}

// Prometheus metrics, on a registry the composition root owns (no global state, so tests can
// build as many services as they like).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PSI_MIN_SAMPLE, PSI_WINDOW } from '../scoring/psi';

export function createMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry });
  const ms = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000];
  return {
    registry,
    decisions: new Counter({ name: 'decisions_total', help: 'Decisions made, by product and outcome.', labelNames: ['product', 'outcome'], registers: [registry] }),
    replays: new Counter({ name: 'decision_replays_total', help: 'Idempotent retries answered from the audit store.', registers: [registry] }),
    decisionDuration: new Histogram({ name: 'decision_duration_ms', help: 'Flow evaluation time per decision (ms).', labelNames: ['product'], buckets: ms, registers: [registry] }),
    stageDuration: new Histogram({ name: 'decision_stage_duration_ms', help: 'Time per stage (ms).', labelNames: ['stage'], buckets: ms, registers: [registry] }),
    stageFallbacks: new Counter({ name: 'decision_stage_fallbacks_total', help: 'Stages that errored or overran their budget and took their fallback.', labelNames: ['stage', 'cause'], registers: [registry] }),
    ruleHits: new Counter({ name: 'rule_hits_total', help: 'Rules fired, by product, stage and rule.', labelNames: ['product', 'stage', 'rule'], registers: [registry] }),
    reasons: new Counter({ name: 'decision_reasons_total', help: 'Reason codes given.', labelNames: ['code'], registers: [registry] }),
    ruleReloads: new Counter({ name: 'rules_reloads_total', help: 'Rule-set reload attempts by result (loaded, rejected, unchanged).', labelNames: ['result'], registers: [registry] }),
    ruleSetValid: new Gauge({ name: 'rules_last_reload_ok', help: '1 when the last rules edit loaded, 0 while the last good set serves after a rejected edit.', registers: [registry] }),
    ruleSetInfo: new Gauge({ name: 'rules_active_info', help: 'The active rule-set version (value is always 1).', labelNames: ['version'], registers: [registry] }),
    modelDuration: new Histogram({ name: 'model_inference_duration_ms', help: 'Credit model scoring time per application, explanation included (ms).', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50], registers: [registry] }),
    modelFallbacks: new Counter({ name: 'model_fallbacks_total', help: 'Decisions where the credit model did not score (unavailable, error, timeout) and the scoring stage fell back.', labelNames: ['cause'], registers: [registry] }),
    // Registered by reportPsi once there is an index: absent (not 0, which reads "stable") below the minimum sample.
    modelPsi: new Gauge({
      name: 'model_score_psi',
      help: `Population stability index of the last ${PSI_WINDOW} live PDs against the training distribution (card deciles); absent until ${PSI_MIN_SAMPLE} scores since start.`,
      registers: [],
    }),
    modelPsiSample: new Gauge({ name: 'model_score_psi_sample', help: `Live PDs in the PSI window (at most ${PSI_WINDOW}); model_score_psi is reported from ${PSI_MIN_SAMPLE}.`, registers: [registry] }),
    replicaLag: new Histogram({
      name: 'replica_copy_lag_ms',
      help: "With DATABASE_URL: from another replica's commit (the database's clock) to the decision joining this replica's copy, velocity index and fraud graph (ms).",
      buckets: [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    replicaPosition: new Gauge({ name: 'replica_stream_position', help: 'With DATABASE_URL: the last decision-stream event this replica holds.', registers: [registry] }),
    retentionPurged: new Counter({ name: 'retention_purged_total', help: 'Decisions deleted, and applications whose identifiers were forgotten, by the retention sweep.', labelNames: ['kind'], registers: [registry] }),
    modelInfo: new Gauge({ name: 'model_info', help: 'The served credit model (value 1) and its state.', labelNames: ['version', 'status'], registers: [registry] }),
    regionUtilisation: new Gauge({ name: 'region_exposure_utilisation', help: "Reserved exposure over the region's limit, after the latest approval.", labelNames: ['region'], registers: [registry] }),
    regionLimitNear: new Counter({ name: 'region_limit_near_total', help: "Approvals that took a region past its warning threshold.", labelNames: ['region'], registers: [registry] }),
    regionLimitExceeded: new Counter({ name: 'region_limit_exceeded_total', help: 'Approvals turned away because the region had no room.', labelNames: ['region'], registers: [registry] }),
    shadowDecisions: new Counter({ name: 'shadow_decisions_total', help: "Challenger flows run beside the champion, by product and result (agree, disagree, failed, timed_out, skipped_under_load).", labelNames: ['product', 'result'], registers: [registry] }),
    backtests: new Counter({ name: 'backtests_total', help: 'Backtests asked for over HTTP, by how they ended (done, failed, cancelled).', labelNames: ['status'], registers: [registry] }),
    loanOutcomes: new Counter({ name: 'loan_outcomes_total', help: 'Loan outcomes reported, by status (repaid, defaulted, fraud, written_off).', labelNames: ['status'], registers: [registry] }),
    observedBadRate: new Gauge({ name: 'loan_observed_bad_rate', help: 'Share of reported loans that went bad (defaulted, fraud, written off), by the grade they were approved at.', labelNames: ['grade'], registers: [registry] }),
    predictedPd: new Gauge({ name: 'loan_predicted_pd', help: 'Mean PD the reported loans were priced at, by grade: against loan_observed_bad_rate, the calibration drift.', labelNames: ['grade'], registers: [registry] }),
    exposureReleases: new Counter({ name: 'exposure_releases_total', help: 'Reservations released, by reason (cancelled, expired).', labelNames: ['reason'], registers: [registry] }),
    decisionsShed: new Counter({ name: 'decisions_shed_total', help: 'Decide requests refused for load (503, nothing stored), by reason.', labelNames: ['reason'], registers: [registry] }),
    decisionsInFlight: new Gauge({ name: 'decisions_in_flight', help: 'Decisions evaluating now.', registers: [registry] }),
    decisionsQueued: new Gauge({ name: 'decisions_queued', help: 'Decisions waiting for a slot.', registers: [registry] }),
    eventLoopDelay: new Gauge({ name: 'event_loop_delay_recent_max_ms', help: 'Largest event-loop delay over the last ~0.5-1 s (admission control input).', registers: [registry] }),
    authRefusals: new Counter({ name: 'http_auth_refusals_total', help: 'Requests refused: no or bad credential (unauthenticated), or a role that may not (forbidden).', labelNames: ['result'], registers: [registry] }),
    apiKeysReloads: new Counter({ name: 'api_keys_reloads_total', help: 'API keys file reloads by result (loaded, rejected).', labelNames: ['result'], registers: [registry] }),
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['method', 'route', 'status'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * model_score_psi is exposed only while there is an index worth reading: below the minimum sample
 * the series is absent (an alert on it stays quiet; `absent()` tells the cases apart) and
 * model_score_psi_sample says how many scores the window holds.
 */
export function reportPsi(metrics: Metrics, psi: number | undefined, sample: number): void {
  metrics.modelPsiSample.set(sample);
  const name = 'model_score_psi';
  const registered = metrics.registry.getSingleMetric(name) !== undefined;
  if (psi === undefined) {
    if (registered) metrics.registry.removeSingleMetric(name);
    return;
  }
  metrics.modelPsi.set(psi);
  if (!registered) metrics.registry.registerMetric(metrics.modelPsi);
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTER_METRICS, TYPE_INDEX, type ScoringConfig } from '../../src/graph/config';
import type { ClusterStats } from '../../src/graph/cluster-stats';
import { binomialTail, scoreCluster, sizeTail, TYPE_COUNT, type PortfolioBaseline } from '../../src/graph/community-scoring';
import type { IdentifierType } from '../../src/identity/identifiers';
import { CONFIG, DAY } from './fixtures';

const perType = (values: Partial<Record<IdentifierType, number>>, fallback: number) => {
  const out = new Array<number>(TYPE_COUNT).fill(fallback);
  for (const [t, v] of Object.entries(values)) out[TYPE_INDEX[t as IdentifierType]] = v as number;
  return out;
};

const stats = (overrides: Partial<ClusterStats> = {}): ClusterStats => ({
  size: 4,
  links: 3,
  distinct: perType({}, 4),
  carrying: perType({}, 4),
  sharing: perType({}, 0),
  declined: 0,
  evidence: 0,
  labelledFraud: 0,
  firstSeen: 0,
  lastSeen: 300 * DAY,
  sharedTypes: 0,
  riskyMembers: 0,
  strangerMembers: 0,
  reusedIdentityMembers: 0,
  multiTypeMembers: 0,
  fraudarWeight: 0,
  fraudarNodes: 0,
  peakWeek: 1,
  gangScore: Number.NaN,
  ...overrides,
});

const config = (flags: ScoringConfig['flags'], rest: Partial<ScoringConfig> = {}): ScoringConfig => ({
  minSize: 3,
  suspiciousScore: 50,
  riskyIdentifierTypes: ['deviceId'],
  strangerWindowDays: 30,
  flags,
  ...rest,
});

const portfolio = (applications: number, evidence: number, sizeCounts: number[] = []): PortfolioBaseline => ({ applications, evidence, sizeCounts });

describe('scoreCluster', () => {
  it('raises a flag at its threshold, explains it, and adds its points', () => {
    const c = config([{ flag: 'SHARED_DEVICES', metric: 'devicesPerApplication', atMost: 0.5, points: 60 }]);
    expect(scoreCluster(stats({ distinct: perType({ deviceId: 3 }, 4) }), c)).toMatchObject({ score: 0, suspicious: false, flags: [] });
    const verdict = scoreCluster(stats({ distinct: perType({ deviceId: 2 }, 4) }), c);
    expect(verdict).toMatchObject({ score: 60, suspicious: true, flags: [{ flag: 'SHARED_DEVICES', value: 0.5, atMost: 0.5, points: 60 }] });
    expect(verdict.flags[0]?.why).toMatch(/0\.5 distinct devices per application/);
  });

  it('does not raise a flag below its minSize, nor where the metric does not apply', () => {
    const c = config([{ flag: 'SHARED_DEVICES', metric: 'devicesPerApplication', atMost: 0.5, minSize: 6, points: 60 }]);
    expect(scoreCluster(stats({ distinct: perType({ deviceId: 1 }, 4) }), c).flags).toEqual([]);
    expect(scoreCluster(stats({ size: 6, distinct: perType({ deviceId: 0 }, 6), carrying: perType({ deviceId: 0 }, 6) }), c).flags).toEqual([]);
    expect(scoreCluster(stats({ size: 6, distinct: perType({ deviceId: 1 }, 6), carrying: perType({}, 6) }), c).flags).toHaveLength(1);
  });

  it('caps the score at 100 and never calls a community below minSize suspicious', () => {
    const c = config(
      [
        { flag: 'A', metric: 'size', atLeast: 2, points: 80 },
        { flag: 'B', metric: 'labelledFraudCount', atLeast: 1, points: 80 },
      ],
      { minSize: 5 },
    );
    expect(scoreCluster(stats({ labelledFraud: 1 }), c)).toMatchObject({ score: 100, suspicious: false });
    expect(scoreCluster(stats({ size: 5, labelledFraud: 1 }), c)).toMatchObject({ score: 100, suspicious: true });
  });

  it('judges fraud evidence against the portfolio: the same members are surprising at a 2 % rate, not at a 40 % rate', () => {
    const c = config([{ flag: 'FRAUD_EVIDENCE', metric: 'evidenceTail', atMost: 0.001, points: 60 }]);
    const community = stats({ size: 8, evidence: 4 });
    expect(scoreCluster(community, c, portfolio(10_000, 200)).flags.map((f) => f.flag)).toEqual(['FRAUD_EVIDENCE']);
    expect(scoreCluster(community, c, portfolio(10_000, 4_000)).flags).toEqual([]);
    // Without a portfolio (no baseline yet) the flag cannot be judged and is not raised.
    expect(scoreCluster(community, c).flags).toEqual([]);
  });

  it('a credit decline is not fraud evidence: a community declined on credit grounds alone raises no evidence flag', () => {
    const c = config([{ flag: 'FRAUD_EVIDENCE', metric: 'evidenceTail', atMost: 0.001, points: 60 }]);
    expect(scoreCluster(stats({ size: 10, declined: 10, evidence: 0 }), c, portfolio(10_000, 200)).flags).toEqual([]);
  });

  it('judges size against the size distribution of the portfolio’s communities', () => {
    const c = config([{ flag: 'LARGE', metric: 'sizeTail', atMost: 0.01, points: 60 }]);
    // 1,000 communities: 980 of 2–3 members, 19 of 6, one of 12.
    const counts = new Array<number>(13).fill(0);
    counts[2] = 700;
    counts[3] = 280;
    counts[6] = 19;
    counts[12] = 1;
    expect(sizeTail(portfolio(0, 0, counts), 6)).toBeCloseTo(0.02, 10);
    expect(scoreCluster(stats({ size: 6 }), c, portfolio(5_000, 0, counts)).flags).toEqual([]);
    expect(scoreCluster(stats({ size: 12 }), c, portfolio(5_000, 0, counts)).flags.map((f) => f.flag)).toEqual(['LARGE']);
  });

  it('measures velocity as the busiest week, and sharing as shares of members', () => {
    const c = config([
      { flag: 'FAST', metric: 'applicationsPerDay', atLeast: 1, points: 10 },
      { flag: 'RISKY', metric: 'riskySharingShare', atLeast: 0.5, points: 10 },
      { flag: 'STRANGERS', metric: 'strangerSharingShare', atLeast: 0.5, points: 10 },
      { flag: 'REUSE', metric: 'reusedIdentityShare', atLeast: 0.5, points: 10 },
    ]);
    expect(scoreCluster(stats({ peakWeek: 7, riskyMembers: 2, strangerMembers: 2, reusedIdentityMembers: 2 }), c).flags.map((f) => f.flag)).toEqual(['FAST', 'RISKY', 'STRANGERS', 'REUSE']);
    expect(scoreCluster(stats({ peakWeek: 6, riskyMembers: 1, strangerMembers: 1, reusedIdentityMembers: 1 }), c).flags).toEqual([]);
  });

  it('never raises the gang-model flag without a model score', () => {
    const c = config([{ flag: 'GANG_MODEL', metric: 'gangScore', atLeast: 0.5, points: 60 }]);
    expect(scoreCluster(stats(), c).flags).toEqual([]);
    expect(scoreCluster(stats({ gangScore: 0.9 }), c).flags.map((f) => f.flag)).toEqual(['GANG_MODEL']);
  });

  it('the shipped thresholds do not flag a household of five applying over a year', () => {
    const household = stats({ size: 5, links: 10, distinct: perType({ deviceId: 4, phone: 4, address: 1 }, 5), carrying: perType({}, 5), sharedTypes: 0b10_0110, riskyMembers: 2, peakWeek: 1 });
    expect(scoreCluster(household, CONFIG.scoring, portfolio(10_000, 300, [0, 0, 800, 150, 40, 10])).suspicious).toBe(false);
  });
});

describe('binomialTail', () => {
  it('matches exact sums and the edges', () => {
    expect(binomialTail(0, 10, 0.3)).toBe(1);
    expect(binomialTail(11, 10, 0.3)).toBe(0);
    expect(binomialTail(10, 10, 0.5)).toBeCloseTo(1 / 1024, 12);
    // P(X ≥ 2), n = 3, p = 0.2: 3·0.04·0.8 + 0.008
    expect(binomialTail(2, 3, 0.2)).toBeCloseTo(0.104, 12);
  });
});

describe('the metric list', () => {
  it('is the clusters schema’s enum, one definition', () => {
    const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../rules/schema/clusters.schema.json'), 'utf8'));
    expect(schema.properties.scoring.properties.flags.items.properties.metric.enum).toEqual([...CLUSTER_METRICS]);
  });
});

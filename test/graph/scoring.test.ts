import { describe, expect, it } from 'vitest';
import type { ScoringConfig } from '../../src/graph/config';
import { scoreCluster, type ClusterStats } from '../../src/graph/scoring';
import { CONFIG, DAY } from './fixtures';

const stats = (overrides: Partial<ClusterStats> = {}): ClusterStats => ({
  size: 4,
  links: 3,
  devices: 4,
  withDevice: 4,
  phones: 4,
  withPhone: 4,
  declined: 0,
  labelledFraud: 0,
  firstSeen: 0,
  lastSeen: 300 * DAY,
  sharedTypes: 0,
  riskyMembers: 0,
  peakWeek: 1,
  ...overrides,
});

const config = (flags: ScoringConfig['flags'], rest: Partial<ScoringConfig> = {}): ScoringConfig => ({ minSize: 3, suspiciousScore: 50, riskyIdentifierTypes: ['deviceId'], flags, ...rest });

describe('scoreCluster', () => {
  it('raises a flag at its threshold, explains it, and adds its points', () => {
    const c = config([{ flag: 'SHARED_DEVICES', metric: 'devicesPerApplication', atMost: 0.5, points: 60 }]);
    expect(scoreCluster(stats({ devices: 3 }), c)).toMatchObject({ score: 0, suspicious: false, flags: [] });
    const verdict = scoreCluster(stats({ devices: 2 }), c);
    expect(verdict).toMatchObject({ score: 60, suspicious: true, flags: [{ flag: 'SHARED_DEVICES', value: 0.5, atMost: 0.5, points: 60 }] });
    expect(verdict.flags[0]?.why).toMatch(/0\.5 distinct devices per application/);
  });

  it('does not raise a flag below its minSize, nor where the metric does not apply', () => {
    const c = config([{ flag: 'SHARED_DEVICES', metric: 'devicesPerApplication', atMost: 0.5, minSize: 6, points: 60 }]);
    expect(scoreCluster(stats({ devices: 1 }), c).flags).toEqual([]);
    expect(scoreCluster(stats({ size: 6, devices: 0, withDevice: 0 }), c).flags).toEqual([]);
    expect(scoreCluster(stats({ size: 6, devices: 1, withDevice: 6 }), c).flags).toHaveLength(1);
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

  it('measures velocity as the busiest week, and risky sharing as a share of members', () => {
    const c = config([
      { flag: 'FAST', metric: 'applicationsPerDay', atLeast: 1, points: 10 },
      { flag: 'RISKY', metric: 'riskySharingShare', atLeast: 0.5, points: 10 },
    ]);
    expect(scoreCluster(stats({ peakWeek: 7, riskyMembers: 2 }), c).flags.map((f) => f.flag)).toEqual(['FAST', 'RISKY']);
    expect(scoreCluster(stats({ peakWeek: 6, riskyMembers: 1 }), c).flags).toEqual([]);
  });

  it('the shipped thresholds do not flag a household of five applying over a year', () => {
    const household = stats({ size: 5, links: 10, devices: 4, phones: 4, withDevice: 5, withPhone: 5, sharedTypes: 0b10_0110, riskyMembers: 2, peakWeek: 1 });
    expect(scoreCluster(household, CONFIG.scoring).suspicious).toBe(false);
  });
});

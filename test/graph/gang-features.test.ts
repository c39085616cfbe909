import { describe, expect, it } from 'vitest';
import { GANG_FEATURE_COUNT, GANG_FEATURES, writeGangFeatures } from '../../src/graph/gang-features';
import { recluster, statsOf } from '../../src/graph/recluster';
import { background, CONFIG, deviceFarm, graphOf, household } from './fixtures';

describe('gang-model features', () => {
  it('are finite for every community, and the list is the one the model card is checked against', () => {
    const graph = graphOf(background(120, 2), household(4, 'h'), deviceFarm(9, 'f'));
    const result = recluster(graph.snapshot(), CONFIG);
    expect(result.clusters).toBeGreaterThan(1);
    for (let c = 0; c < result.clusters; c++) {
      const row = new Array<number>(GANG_FEATURE_COUNT);
      writeGangFeatures(statsOf(result.stats, result.typeStats, c), result.baseline, row);
      expect(row.every(Number.isFinite), JSON.stringify(row)).toBe(true);
    }
    expect(new Set(GANG_FEATURES).size).toBe(GANG_FEATURE_COUNT);
  });

  it('leave investigators’ labels out: a label does not change a community’s features', () => {
    const farm = deviceFarm(9, 'l');
    const graph = graphOf(background(60, 3), farm);
    const features = () => {
      const result = recluster(graph.snapshot(), CONFIG);
      const c = result.clusterOf[graph.indexOf(farm[0]!.applicationId)!]!;
      const row: number[] = [];
      writeGangFeatures(statsOf(result.stats, result.typeStats, c), result.baseline, row);
      return row;
    };
    const before = features();
    graph.setLabel(graph.indexOf(farm[1]!.applicationId)!, 'fraud');
    expect(features()).toEqual(before);
  });
});

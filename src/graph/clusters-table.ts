// The fraud graph's table: linking, community and flag thresholds (rules/fraud/clusters.json).
import clustersSchema from '../../rules/schema/clusters.schema.json' with { type: 'json' };
import type { TableSpec } from '../rules/table-spec';
import { CLUSTERS_TABLE } from './config';

export const CLUSTERS_TABLE_SPEC: TableSpec = {
  relPath: CLUSTERS_TABLE,
  schema: clustersSchema,
  check: (value: { scoring: { flags: { flag: string }[] } }, ctx) => {
    value.scoring.flags.forEach((f, i) => {
      if (value.scoring.flags.findIndex((o) => o.flag === f.flag) !== i) ctx.report('SCHEMA', ['scoring', 'flags', i, 'flag'], `flag "${f.flag}" appears twice`);
    });
  },
};

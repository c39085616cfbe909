// The limits domain's table: regional limits, set or computed (rules/limits/regions.json).
import regionsSchema from '../../rules/schema/regions.schema.json' with { type: 'json' };
import type { JsonPath } from '../rules/diagnostics';
import type { TableSpec } from '../rules/table-spec';
import { REGIONS_TABLE } from './regions';

export const REGIONS_TABLE_SPEC: TableSpec = {
  relPath: REGIONS_TABLE,
  schema: regionsSchema,
  check: (value: { default: object; regions: Record<string, object> }, ctx) => {
    const regions: [JsonPath, any][] = [[['default'], value.default], ...Object.entries(value.regions).map(([k, v]): [JsonPath, any] => [['regions', k], v])];
    for (const [at, region] of regions) {
      if ((region.limit === undefined) === (region.computed === undefined)) ctx.report('SCHEMA', at, 'give exactly one of "limit" or "computed"');
      if (region.computed && region.computed.minFactor > region.computed.maxFactor) ctx.report('SCHEMA', [...at, 'computed', 'minFactor'], 'minFactor must not exceed maxFactor');
    }
  },
};

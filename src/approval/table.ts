// The approval domain's table: the authority matrix (rules/approval/authority.json).
import authoritySchema from '../../rules/schema/authority.schema.json' with { type: 'json' };
import { type TableSpec } from '../rules/table-spec';
import { GRADES_TABLE } from '../scoring/tables';
import { AUTHORITY_TABLE } from './authority';

export const AUTHORITY_TABLE_SPEC: TableSpec = {
  relPath: AUTHORITY_TABLE,
  schema: authoritySchema,
  check: (value: { amountBands: { upTo?: number; grades: Record<string, string> }[]; escalations: { reasons: string[] }[] }, ctx) => {
    value.amountBands.forEach((band, i) => {
      const last = i === value.amountBands.length - 1;
      if (last !== (band.upTo === undefined)) ctx.report('SCHEMA', ['amountBands', i], last ? 'the last band must have no upTo (it takes every larger amount)' : 'only the last band may omit upTo');
      const previous = value.amountBands[i - 1]?.upTo;
      if (band.upTo !== undefined && previous !== undefined && band.upTo <= previous) ctx.report('SCHEMA', ['amountBands', i, 'upTo'], `upTo must increase from band to band (the previous band ends at ${previous})`);
      for (const { grade } of ctx.table(GRADES_TABLE)?.grades ?? []) {
        if (!(grade in band.grades)) ctx.report('SCHEMA', ['amountBands', i, 'grades'], `missing a level for grade "${grade}"`);
      }
    });
    value.escalations.forEach((e, i) => e.reasons.forEach((code, k) => {
      if (!ctx.reasons.has(code)) ctx.report('UNKNOWN_REASON', ['escalations', i, 'reasons', k], `unknown reason code "${code}" (declare it in rules/reasons.json)`);
    }));
  },
};

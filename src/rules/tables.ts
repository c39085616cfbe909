// Analyst-editable tables that are not flows (scoring grades, pricing, authority matrix,
// regional limits, cluster thresholds): each one file under rules/, validated by its JSON
// Schema at every load and swapped with the rest of the rule set. Domains read their table
// from RuleSet.tables by path; the schema guarantees its shape.
import authoritySchema from '../../rules/schema/authority.schema.json' with { type: 'json' };
import regionsSchema from '../../rules/schema/regions.schema.json' with { type: 'json' };
import factorsSchema from '../../rules/schema/factors.schema.json' with { type: 'json' };
import gradesSchema from '../../rules/schema/grades.schema.json' with { type: 'json' };
import offersSchema from '../../rules/schema/offers.schema.json' with { type: 'json' };
import clustersSchema from '../../rules/schema/clusters.schema.json' with { type: 'json' };
import type { Diagnostic, JsonPath, SourceFile } from './diagnostics';
import { APPLICANT_FIELD_NAMES } from './facts';
import type { ReasonSpec } from './ruleset';

export interface TableCheckContext {
  readonly source: SourceFile;
  readonly reasons: ReadonlyMap<string, ReasonSpec>;
  /** Another table's schema-valid value (undefined if it is missing or invalid). */
  readonly table: (relPath: string) => any;
  readonly report: (code: Diagnostic['code'], path: JsonPath, message: string) => void;
}

export interface TableSpec {
  /** Path inside the rules folder, e.g. "scoring/grades.json". */
  readonly relPath: string;
  readonly schema: object;
  /** Checks a schema cannot express (order, cross-references), reported with positions. */
  readonly check?: (value: any, context: TableCheckContext) => void;
}

/** The application fields a credit model may use as features. */
export const MODEL_INPUT_FIELDS: readonly string[] = ['amount', 'termMonths', ...APPLICANT_FIELD_NAMES];

function checkReasonCodes(codes: Record<string, string>, at: JsonPath, ctx: TableCheckContext) {
  for (const [key, code] of Object.entries(codes)) {
    if (!ctx.reasons.has(code)) ctx.report('UNKNOWN_REASON', [...at, key], `unknown reason code "${code}" (declare it in rules/reasons.json)`);
  }
}

/** Every table the service knows. A domain adds its table here. */
export const TABLES: readonly TableSpec[] = [
  {
    relPath: 'scoring/grades.json',
    schema: gradesSchema,
    check: (value: { grades: { grade: string; maxPd: number }[] }, ctx) => {
      value.grades.forEach((g, i) => {
        const previous = value.grades[i - 1];
        if (previous && g.maxPd <= previous.maxPd) ctx.report('SCHEMA', ['grades', i, 'maxPd'], `maxPd must increase from grade to grade (${previous.grade} ends at ${previous.maxPd})`);
        if (value.grades.findIndex((o) => o.grade === g.grade) !== i) ctx.report('SCHEMA', ['grades', i, 'grade'], `grade "${g.grade}" appears twice`);
      });
      const last = value.grades[value.grades.length - 1];
      if (last && last.maxPd !== 1) ctx.report('SCHEMA', ['grades', value.grades.length - 1, 'maxPd'], 'the last grade must end at maxPd 1 so every PD has a grade');
    },
  },
  {
    relPath: 'scoring/offers.json',
    schema: offersSchema,
    check: (value: { grades: Record<string, unknown> }, ctx) => {
      const grades: { grade: string }[] = ctx.table('scoring/grades.json')?.grades ?? [];
      for (const { grade } of grades) {
        if (!(grade in value.grades)) ctx.report('SCHEMA', ['grades'], `missing an offer for grade "${grade}" (rules/scoring/grades.json defines it)`);
      }
    },
  },
  {
    relPath: 'scoring/factors.json',
    schema: factorsSchema,
    check: (value: { factors: Record<string, string> }, ctx) => {
      checkReasonCodes(value.factors, ['factors'], ctx);
      // Any field the model may read needs a code, so a retrained model can never leave a factor unexplained.
      for (const field of MODEL_INPUT_FIELDS) {
        if (!(field in value.factors)) ctx.report('SCHEMA', ['factors'], `missing a reason code for "${field}"`);
      }
    },
  },
  {
    relPath: 'approval/authority.json',
    schema: authoritySchema,
    check: (value: { amountBands: { upTo?: number; grades: Record<string, string> }[]; escalations: { reasons: string[] }[] }, ctx) => {
      value.amountBands.forEach((band, i) => {
        const last = i === value.amountBands.length - 1;
        if (last !== (band.upTo === undefined)) ctx.report('SCHEMA', ['amountBands', i], last ? 'the last band must have no upTo (it takes every larger amount)' : 'only the last band may omit upTo');
        const previous = value.amountBands[i - 1]?.upTo;
        if (band.upTo !== undefined && previous !== undefined && band.upTo <= previous) ctx.report('SCHEMA', ['amountBands', i, 'upTo'], `upTo must increase from band to band (the previous band ends at ${previous})`);
        for (const { grade } of ctx.table('scoring/grades.json')?.grades ?? []) {
          if (!(grade in band.grades)) ctx.report('SCHEMA', ['amountBands', i, 'grades'], `missing a level for grade "${grade}"`);
        }
      });
      value.escalations.forEach((e, i) => e.reasons.forEach((code, k) => {
        if (!ctx.reasons.has(code)) ctx.report('UNKNOWN_REASON', ['escalations', i, 'reasons', k], `unknown reason code "${code}" (declare it in rules/reasons.json)`);
      }));
    },
  },
  {
    relPath: 'limits/regions.json',
    schema: regionsSchema,
    check: (value: { default: object; regions: Record<string, object> }, ctx) => {
      const regions: [JsonPath, any][] = [[['default'], value.default], ...Object.entries(value.regions).map(([k, v]): [JsonPath, any] => [['regions', k], v])];
      for (const [at, region] of regions) {
        if ((region.limit === undefined) === (region.computed === undefined)) ctx.report('SCHEMA', at, 'give exactly one of "limit" or "computed"');
        if (region.computed && region.computed.minFactor > region.computed.maxFactor) ctx.report('SCHEMA', [...at, 'computed', 'minFactor'], 'minFactor must not exceed maxFactor');
      }
    },
  },
  {
    relPath: 'fraud/clusters.json',
    schema: clustersSchema,
    check: (value: { scoring: { flags: { flag: string }[] } }, ctx) => {
      value.scoring.flags.forEach((f, i) => {
        if (value.scoring.flags.findIndex((o) => o.flag === f.flag) !== i) ctx.report('SCHEMA', ['scoring', 'flags', i, 'flag'], `flag "${f.flag}" appears twice`);
      });
    },
  },
];

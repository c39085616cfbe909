// The scoring domain's tables: risk grades by PD, the offer per grade, and which model features
// become adverse-action reasons.
import factorsSchema from '../../rules/schema/factors.schema.json' with { type: 'json' };
import gradesSchema from '../../rules/schema/grades.schema.json' with { type: 'json' };
import offersSchema from '../../rules/schema/offers.schema.json' with { type: 'json' };
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { checkReasonCodes, type TableSpec } from '../rules/table-spec';

export const GRADES_TABLE = 'scoring/grades.json';
export const OFFERS_TABLE = 'scoring/offers.json';
export const FACTORS_TABLE = 'scoring/factors.json';

export const SCORING_TABLES: readonly TableSpec[] = [
  {
    relPath: GRADES_TABLE,
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
    relPath: OFFERS_TABLE,
    schema: offersSchema,
    check: (value: { grades: Record<string, unknown> }, ctx) => {
      const grades: { grade: string }[] = ctx.table(GRADES_TABLE)?.grades ?? [];
      for (const { grade } of grades) {
        if (!(grade in value.grades)) ctx.report('SCHEMA', ['grades'], `missing an offer for grade "${grade}" (rules/scoring/grades.json defines it)`);
      }
    },
  },
  {
    relPath: FACTORS_TABLE,
    schema: factorsSchema,
    check: (value: { factors: Record<string, string> }, ctx) => {
      checkReasonCodes(value.factors, ['factors'], ctx);
      // Any field the model may read needs a code, so a retrained model can never leave a factor unexplained.
      for (const field of MODEL_INPUT_FIELDS) {
        if (!(field in value.factors)) ctx.report('SCHEMA', ['factors'], `missing a reason code for "${field}"`);
      }
    },
  },
];

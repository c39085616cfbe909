// The shared German credit data as API-shaped applications (the columns in camelCase).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Applicant } from '../../src/decision/application';

export const GERMAN_CREDIT_CSV = path.resolve(import.meta.dirname, '../../models/train/data/german-credit.csv');

export interface CreditRow {
  /** 1-based data row number (the holdout is every row divisible by 5). */
  readonly row: number;
  readonly amount: number;
  readonly termMonths: number;
  readonly applicant: Applicant;
  readonly defaulted: boolean;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function readGermanCredit(file = GERMAN_CREDIT_CSV): CreditRow[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const columns = (header ?? '').split(',');
  return lines.map((line, i) => {
    const cells = Object.fromEntries(line.split(',').map((v, k) => [columns[k] ?? '', v]));
    const applicant: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(cells)) {
      if (['duration_months', 'credit_amount', 'default'].includes(column)) continue;
      const key = camel(column);
      applicant[key] = column === 'has_telephone' || column === 'foreign_worker' ? value === '1' : /^\d+$/.test(value) ? Number(value) : value;
    }
    return {
      row: i + 1,
      amount: Number(cells.credit_amount),
      termMonths: Number(cells.duration_months),
      applicant: applicant as unknown as Applicant,
      defaulted: cells.default === '1',
    };
  });
}

/** Area under the ROC curve by Mann–Whitney: ties count one half (as sklearn's roc_auc_score). */
export function auc(scores: readonly number[], positive: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPositive = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const averageRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (positive[order[k]![1]]) rankSumPositive += averageRank;
    i = j + 1;
  }
  const p = positive.filter(Boolean).length;
  const n = positive.length - p;
  return (rankSumPositive - (p * (p + 1)) / 2) / (p * n);
}

// npm run backtest:quarter on a small quarter: the decisions it made are the ones the backtest
// CLI reads back, its outcomes are the ones the report counts, the edit changes only what it
// can (personal-loan approvals going to review). The quarter is seeded: the README's figures are
// the same on every run (a second run here would double the test's time for that alone).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../src/decision/backtest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const DECISIONS = 600;

async function quarter(): Promise<{ report: BacktestReport & { seconds?: number; changedSample?: string[] }; decided: number; recorded: number }> {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bench/backtest-quarter.ts', '--decisions', String(DECISIONS), '--json'], { cwd: ROOT, env: { ...process.env, IDENTIFIER_HASH_KEY: '', NODE_ENV: 'test' } });
  const number = (re: RegExp) => Number((re.exec(stderr)?.[1] ?? 'NaN').replace(/,/g, ''));
  return { report: JSON.parse(stdout), decided: number(/decided ([\d,]+) applications/), recorded: number(/recorded ([\d,]+) loan outcomes/) };
}

describe('npm run backtest:quarter', () => {
  it('backtests the edit on the decisions it made', async () => {
    const { report, decided, recorded } = await quarter();
    expect(decided).toBeGreaterThan(DECISIONS * 0.8);
    expect(report.decisions).toBe(decided);
    expect(report.skipped).toBe(0);
    expect(report.groups.map((g) => g.product)).toEqual(expect.arrayContaining(['personal_loan', 'micro_loan']));
    // Every reported outcome belongs to an automatic approval, so the stored side counts them all.
    expect(report.groups.reduce((n, g) => n + g.before.outcomesKnown, 0)).toBe(recorded);
    expect(recorded).toBeGreaterThan(0);
    // The edit widens a personal-loan review rule: approvals go to review, nothing else moves.
    expect(report.changed).toBeGreaterThan(0);
    for (const g of report.groups) {
      const moved = Object.entries(g.transitions).filter(([t]) => t.split('->')[0] !== t.split('->')[1]);
      if (g.product === 'micro_loan') expect(moved).toEqual([]);
      for (const [t] of moved) expect(t).toBe('approve->review');
      if (g.changed > 0) {
        expect(g.reasonsAppearing.INSTALMENT_BURDEN_HIGH).toBeGreaterThanOrEqual(g.changed);
        expect(g.after.expectedLoss).toBeLessThan(g.before.expectedLoss);
      }
    }
  });
});

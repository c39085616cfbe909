// npm run backtest: a candidate rule folder against stored decisions. An edit that tightens one
// threshold must report exactly the decisions that change, checked by deciding the same
// applications afresh under the candidate.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Application } from '../../src/decision/application';
import { application } from '../support/factories';
import { copyRules, startTestServer, tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const KEY = 'identifier-hash-key-for-backtest-tests-0001';
const ENV = { IDENTIFIER_HASH_KEY: KEY, GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' };

async function backtest(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/backtest.ts', '--data-dir', dataDir, ...args], { cwd: ROOT, env: { ...process.env, IDENTIFIER_HASH_KEY: KEY } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Decides the applications in order on a service over `dataDir` with `rulesDir`; outcome by application id. */
async function decideAll(dataDir: string, rulesDir: string, applications: readonly Application[]): Promise<Map<string, string>> {
  const server = await startTestServer({ dataDir, rulesDir, env: ENV });
  try {
    const outcomes = new Map<string, string>();
    for (const a of applications) {
      const res = await server.post('/decide', a);
      expect(res.status).toBe(200);
      outcomes.set(a.applicationId, res.body.outcome);
    }
    return outcomes;
  } finally {
    await server.close();
  }
}

describe('npm run backtest', () => {
  it('reports exactly the decisions a tightened threshold changes, as deciding them afresh does', async () => {
    const applications = Array.from({ length: 40 }, (_, i) =>
      application({ applicationId: `BT-${i}`, region: i % 2 ? 'east' : 'north', amount: 1_000 + 250 * i, applicant: { age: 19 + i }, identifiers: { phone: `+86 139 4444 ${String(1000 + i)}` } }),
    );
    const rules = copyRules();
    const dataDir = tempDir();
    const before = await decideAll(dataDir, rules, applications);

    const candidate = copyRules();
    const flowFile = path.join(candidate, 'flows/personal_loan.json');
    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"< 21"', '"< 30"'));
    const res = await backtest(dataDir, '--rules', candidate, '--json', '--threads', '2');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    // Two threads each backtest a share of the rows; the merged report must still match deciding afresh.
    // The same applications decided afresh under the candidate, in the same order.
    const afresh = await decideAll(tempDir(), candidate, applications);
    const changed = applications.filter((a) => before.get(a.applicationId) !== afresh.get(a.applicationId));
    expect(changed.length).toBeGreaterThan(3);
    expect(report.changed).toBe(changed.length);
    const expectedTransitions: Record<string, Record<string, number>> = {};
    for (const a of applications) {
      const t = (expectedTransitions[a.region] ??= {});
      const key = `${before.get(a.applicationId)}->${afresh.get(a.applicationId)}`;
      t[key] = (t[key] ?? 0) + 1;
    }
    for (const g of report.groups) expect(g.transitions, g.region).toEqual(expectedTransitions[g.region]);
    // Every changed decision is in the sample (fewer than 20 change), and only those.
    const decisionIds = new Set<string>();
    for (const id of report.changedSample) decisionIds.add(id);
    expect(decisionIds.size).toBe(changed.length);
    // Tightening the age floor adds its reason and lowers the approval rate.
    const all = report.groups.reduce((n: number, g: { reasonsAppearing: Record<string, number> }) => n + (g.reasonsAppearing.AGE_BELOW_MINIMUM ?? 0), 0);
    expect(all).toBe(changed.length);
    for (const g of report.groups) expect(g.after.approvalRate).toBeLessThanOrEqual(g.before.approvalRate);

    // The terminal table, and a filter.
    const table = await backtest(dataDir, '--rules', candidate, '--region', 'east');
    expect(table.stdout).toMatch(/^candidate [0-9a-f]{16}: 20 decisions backtested/);
    expect(table.stdout).toContain('personal_loan / east: 20 decisions');
    expect(table.stdout).toMatch(/stored \\ candidate\s+approve\s+review\s+decline/);
    expect(table.stdout).toMatch(/reasons appearing: AGE_BELOW_MINIMUM \d+/);
  }, 120_000);

  // With the rules the decisions were made with, nothing changes.
  it('reads the store beside a running service, which keeps deciding', async () => {
    const dataDir = tempDir();
    const server = await startTestServer({ dataDir, rulesDir: copyRules(), env: ENV });
    try {
      for (let i = 0; i < 6; i++) expect((await server.post('/decide', application({ applicationId: `BT-LIVE-${i}` }))).status).toBe(200);
      const res = await backtest(dataDir, '--rules', copyRules(), '--json');
      expect(res.stderr).toBe('');
      expect(JSON.parse(res.stdout)).toMatchObject({ decisions: 6, changed: 0 });
      expect((await server.post('/decide', application({ applicationId: 'BT-LIVE-after' }))).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('refuses a usage error and a store it cannot read, naming them', async () => {
    expect((await backtest(tempDir(), '--rules', copyRules(), '--threads', '0')).stderr).toMatch(/--threads 0: a whole number from 1 to 64/);
    const missing = await backtest(path.join(tempDir(), 'nothing-here'), '--rules', copyRules());
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/audit\.db/);
  }, 60_000);

  it('refuses a candidate with errors, with the diagnostics rules:check prints', async () => {
    const dataDir = tempDir();
    await decideAll(dataDir, copyRules(), [application({ applicationId: 'BT-ERR' })]);
    const candidate = copyRules();
    const flowFile = path.join(candidate, 'flows/personal_loan.json');
    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"< 21"', '"< twenty-one"'));
    const res = await backtest(dataDir, '--rules', candidate);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/flows\/personal_loan\.json:\d+:\d+/);
    expect(res.stderr).toMatch(/nothing was backtested/);
    expect(res.stdout).toBe('');
  }, 60_000);
});

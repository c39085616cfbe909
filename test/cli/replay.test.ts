// npm run replay: every stored decision of a period decided again against the rules it was made
// with, across rule edits; the share reproduced, and what differs when something does not.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { decodeStoredDocument, encodeStoredDocument } from '../../src/store/decision-writer';
import { application } from '../support/factories';
import { copyRules, startTestServer, tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function replay(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/replay.ts', '--data-dir', dataDir, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run replay', () => {
  it('reproduces 100 % of decisions made under two rule sets, says what differs when a record does not, and waits for the service to stop', async () => {
    const dataDir = tempDir();
    const rulesDir = copyRules();
    const env = { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' };
    const decide = async (prefix: string, n: number) => {
      const server = await startTestServer({ dataDir, rulesDir, env });
      try {
        for (let i = 0; i < n; i++) {
          const res = await server.post('/decide', application({ applicationId: `${prefix}-${i}`, amount: 1_000 + 1_500 * i, applicant: { age: 20 + 3 * i }, identifiers: { phone: `+86 139 5555 ${String(1000 + (i % 4))}` } }));
          expect(res.status).toBe(200);
        }
        return server.service.rules.current.version;
      } finally {
        await server.close();
      }
    };
    const first = await decide('V1', 12);
    // An analyst's edit: the minimum age rises; the decisions before it keep their own rules.
    const flowFile = path.join(rulesDir, 'flows/personal_loan.json');
    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"< 21"', '"< 30"'));
    const second = await decide('V2', 12);
    expect(second).not.toBe(first);

    const all = await replay(dataDir);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/replayed 24 of 24 decisions/);
    expect(all.stdout).toMatch(/reproduced 24 \(100\.00 %; target 100 %\)/);
    const json = JSON.parse((await replay(dataDir, '--json')).stdout);
    expect(json).toMatchObject({ decisions: 24, replayed: 24, reproduced: 24, share: 1, missingRuleSets: [] });

    // A record altered in the store no longer reproduces: named, with what differs; exit code 4.
    const db = new Database(path.join(dataDir, 'audit.db'));
    const row = db.prepare<[], { decision_id: string; document: string; record: Buffer }>("SELECT decision_id, document, record FROM decisions WHERE application_id = 'V1-3'").get()!;
    const record = JSON.parse(decodeStoredDocument(row));
    db.prepare('UPDATE decisions SET record = ? WHERE decision_id = ?').run(encodeStoredDocument(JSON.stringify({ ...record, approvalLevel: 'L3' })), row.decision_id);
    db.close();
    const altered = await replay(dataDir);
    expect(altered.code).toBe(4);
    expect(altered.stdout).toMatch(/reproduced 23 \(95\.83 %/);
    expect(altered.stdout).toContain(`${row.decision_id}: approvalLevel stored "L3" replayed "${record.approvalLevel}"`);

    // A period: only what was decided in it.
    const none = await replay(dataDir, '--to', '2000-01-01');
    expect(none.stdout).toMatch(/replayed 0 of 0 decisions/);

    // While the service holds the store: refused, exit 78.
    const server = await startTestServer({ dataDir, rulesDir, env });
    try {
      const busy = await replay(dataDir);
      expect(busy.code).toBe(78);
      expect(busy.stderr).toMatch(/in use by another process.*: stop the service, or replay a copy of the store/);
    } finally {
      await server.close();
    }
  }, 90_000);
});

// npm run import: a history file loads whole or not at all, resumes after its last committed
// line, is not loaded twice, and the service started on the store serves it at its own time.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store';
import { GraphStore } from '../../src/store/graph-store';
import { application } from '../support/factories';
import { REPO_RULES, startTestServer, tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const KEY = 'k'.repeat(40);
const T0 = Date.UTC(2025, 5, 1);
const HOUR = 3_600_000;

async function importFile(dataDir: string, file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return importWith({}, dataDir, file, ...args);
}

async function importWith(env: Record<string, string | undefined>, dataDir: string, file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file, ...args], {
      cwd: ROOT,
      // Without the tests' own DATABASE_URL, should the environment running them set one.
      env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir, RULES_DIR: REPO_RULES, IDENTIFIER_HASH_KEY: KEY, NODE_ENV: 'test', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A ring's history: six applicants on one device and one mule account, an hour apart. */
function ringLines(n = 6) {
  return Array.from({ length: n }, (_, k) => ({
    ...application({
      applicationId: `HIST-${k}`,
      identifiers: { deviceId: 'farm-device-1', bankAccount: 'GB29NWBK60161331926819', phone: `+86 139 0000 00${10 + k}`, nationalId: `11010519900101${1000 + k}` },
    }),
    submittedAt: new Date(T0 + k * HOUR).toISOString(),
    outcome: k % 2 ? 'approve' : 'review',
    ...(k === 0 ? { label: 'fraud' } : {}),
    ...(k === 1 ? { reasons: ['VELOCITY_DEVICE'] } : {}),
  }));
}

const ndjson = (lines: readonly unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

describe('npm run import', () => {
  it('loads a file with its own times, outcomes and labels, reserves nothing, and does not load it twice', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'history.ndjson');
    writeFileSync(file, ndjson(ringLines()));
    const first = await importFile(dataDir, file);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/6 applications imported/);

    const store = new AuditStore(path.join(dataDir, 'audit.db'));
    const stored = store.findByApplicationId('HIST-3');
    expect(stored).toMatchObject({ decidedAt: T0 + 3 * HOUR, outcome: 'approve', source: 'imported', status: 'final', fraudEvidence: false });
    expect(store.findByApplicationId('HIST-1')?.fraudEvidence).toBe(true);
    expect(store.reservation(stored!.decisionId)).toBeUndefined();
    expect(new GraphStore(store.database).currentLabels()).toMatchObject([{ applicationId: 'HIST-0', label: 'fraud' }]);
    expect(store.countDecisions()).toBe(6);
    store.close();

    const again = await importFile(dataDir, file);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/imported in full/);
  });

  it('reports every bad line by number and reason, and writes nothing', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'bad.ndjson');
    const good = ringLines(3);
    const future = new Date(Date.now() + 24 * HOUR).toISOString();
    writeFileSync(
      file,
      ndjson([
        good[0],
        { ...good[1], product: 'car_lease' },
        { ...good[2], submittedAt: '01/06/2025 10:00' },
        { ...good[2], applicationId: 'HIST-F', submittedAt: future },
        { ...good[0], amount: 9999 },
        { ...good[2], applicationId: 'HIST-L', label: 'suspicious' },
        '{"applicationId": ',
      ]),
    );
    const result = await importFile(dataDir, file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.ndjson:2: product: no rule flow for "car_lease"/);
    expect(result.stderr).toMatch(/bad\.ndjson:3: submittedAt: .* is not an ISO 8601 date-time/);
    expect(result.stderr).toMatch(/bad\.ndjson:4: submittedAt: .* is in the future/);
    expect(result.stderr).toMatch(/bad\.ndjson:5: applicationId: "HIST-0" appears on an earlier line with a different body/);
    expect(result.stderr).toMatch(/bad\.ndjson:6: label: /);
    expect(result.stderr).toMatch(/bad\.ndjson:7: \(line\): not valid JSON/);
    expect(result.stderr).toMatch(/6 of 7 lines have problems; nothing was imported/);
    const store = new AuditStore(path.join(dataDir, 'audit.db'));
    expect(store.countDecisions()).toBe(0);
    store.close();
  });

  it('refuses a replica (DATABASE_URL): its store is a copy of the shared database, which takes history through POST /history', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'history.ndjson');
    writeFileSync(file, ndjson(ringLines(2)));
    const result = await importWith({ DATABASE_URL: 'postgres://127.0.0.1:5432/test' }, dataDir, file);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/DATABASE_URL is set: .*POST \/history/);
    expect(existsSync(path.join(dataDir, 'audit.db'))).toBe(false);
  });

  it('resumes after the last committed line of an interrupted import', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'history.ndjson');
    const lines = ringLines(6);
    const text = ndjson(lines);
    writeFileSync(file, text);
    // What an import killed after its first batch leaves: lines 1–2 committed with its progress.
    const first = await importFile(dataDir, writeFirst(dataDir, lines.slice(0, 2)));
    expect(first.code).toBe(0);
    const importId = createHash('sha256').update(text.trimEnd().split('\n').map((l) => `${l}\n`).join('')).digest('hex');
    const store = new AuditStore(path.join(dataDir, 'audit.db'));
    await store.commit(() => {
      store.startHistoryImport(importId, 'history.ndjson', 6, Date.now());
      store.recordHistoryProgress(importId, 2, null);
    });
    store.close();
    const resumed = await importFile(dataDir, file, '--batch', '2');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming history\.ndjson after line 2/);
    expect(resumed.stdout).toMatch(/4 applications imported, 0 already present/);
    const after = new AuditStore(path.join(dataDir, 'audit.db'));
    expect(after.countDecisions()).toBe(6);
    expect(after.historyImport(importId)).toMatchObject({ linesDone: 6 });
    expect(after.historyImport(importId)?.finishedAt).toBeGreaterThan(0);
    after.close();
  });

  it('the service started on the imported store sees the history at its own time: velocity, graph and labels', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'history.ndjson');
    writeFileSync(file, ndjson(ringLines()));
    expect((await importFile(dataDir, file)).code).toBe(0);
    let now = T0 + 6 * HOUR;
    const server = await startTestServer({
      dataDir,
      env: { IDENTIFIER_HASH_KEY: KEY, GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' },
      overrides: { clock: () => now },
    });
    try {
      await server.service.graph.recluster();
      const clusters = await server.get('/clusters?suspicious=true');
      expect(clusters.body.clusters).toHaveLength(1);
      expect(clusters.body.clusters[0]).toMatchObject({ size: 6, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0 + 5 * HOUR).toISOString() });
      const next = await server.post('/decide', application({ identifiers: { deviceId: 'farm-device-1', phone: '+86 139 0000 0099' } }));
      expect(next.status).toBe(200);
      const decision = await server.get(`/decisions/${next.body.decisionId}`);
      // Six imported applications on that device within the last 24 h of the service's clock, plus this one.
      expect(decision.body.facts.velocity.deviceId).toBe(7);
      expect(decision.body.facts.fraud).toMatchObject({ sharedWithLabelledFraud: true, clusterSuspicious: true });
      now = T0 + 48 * HOUR;
      const later = await server.post('/decide', application({ identifiers: { deviceId: 'farm-device-1' } }));
      expect((await server.get(`/decisions/${later.body.decisionId}`)).body.facts.velocity.deviceId).toBe(1);
    } finally {
      await server.close();
    }
  });
});

function writeFirst(dataDir: string, lines: readonly unknown[]): string {
  const file = path.join(dataDir, 'first.ndjson');
  writeFileSync(file, ndjson(lines));
  return file;
}

// The compiled build (npm run build → dist/, what npm start and the image run): plain node with no
// tsx and no TypeScript sources serves a decision, and the fraud graph's recluster worker starts
// from compiled JavaScript too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from './support/factories';
import { TEST_ADMISSION_ENV, tempDir, testRulesDir } from './support/server';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Like the image's runtime stage: dist/ outside the source tree, next to a node_modules that holds
 * the production dependencies only (links into the repository's; their own dependencies resolve
 * from there). A bundle importing tsx, a dev dependency or a source file fails to start.
 */
function runtimeTree(): { app: string; dist: string } {
  const app = path.join(tempDir('build-'), 'app');
  const modules = path.join(app, 'node_modules');
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies)) {
    mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name), 'dir');
  }
  return { app, dist: path.join(app, 'dist') };
}

describe('the compiled build', () => {
  const { app, dist } = runtimeTree();
  const dataDir = tempDir();
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let output = '';
  let url = '';
  let authorization = '';

  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', dist, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);

    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RULES_WATCH: 'false', DATA_DIR: dataDir, RULES_DIR: testRulesDir(), MODELS_DIR: path.join(ROOT, 'models'), ...TEST_ADMISSION_ENV };
    delete env.NODE_OPTIONS;
    const started = spawn(process.execPath, [path.join(dist, 'main.js')], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    exited = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the compiled service did not start:\n${output}`)), 20_000);
      started.stdout.on('data', (chunk: Buffer) => {
        output += String(chunk);
        const match = /"port":(\d+)[^\n]*"msg":"ready"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      started.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
      void exited.then(() => reject(new Error(`the compiled service exited:\n${output}`)));
    });
    url = `http://127.0.0.1:${port}`;
    authorization = `Bearer ${readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim()}`;
  }, 30_000);

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('writes one bundle per entry point, workers included, that imports no tsx', () => {
    for (const file of ['main.js', 'recluster-worker.js', 'import.js', 'import-worker.js', 'api-key.js', 'rekey.js']) expect(existsSync(path.join(dist, file)), file).toBe(true);
    for (const file of ['main.js', 'recluster-worker.js']) expect(readFileSync(path.join(dist, file), 'utf8'), file).not.toMatch(/(from |import\()"tsx/);
  });

  it('runs with plain node: ready, and an authenticated POST /decide is decided', async () => {
    expect(child?.spawnargs).toEqual([process.execPath, path.join(dist, 'main.js')]);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const decided = await fetch(`${url}/decide`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(application({ applicationId: 'BUILD-1' })) });
    expect(decided.status).toBe(200);
    const body = (await decided.json()) as { decisionId?: string; outcome?: string };
    expect(body.decisionId).toEqual(expect.any(String));
    expect(['approve', 'review', 'decline']).toContain(body.outcome);
  });

  it('reclusters in the compiled worker thread', async () => {
    const started = await fetch(`${url}/clusters/recluster`, { method: 'POST', headers: { authorization } });
    expect(started.status).toBe(202);
    const { generation } = (await started.json()) as { generation: number };
    type Clusters = { clustering: { generation: number; applications: number } | null };
    let clusters: Clusters = { clustering: null };
    const deadline = Date.now() + 15_000;
    while ((clusters.clustering?.generation ?? 0) < generation && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      clusters = (await (await fetch(`${url}/clusters`, { headers: { authorization } })).json()) as Clusters;
    }
    expect(clusters.clustering, output).toMatchObject({ generation, applications: 1 });
    expect(output).not.toMatch(/recluster failed|worker exited/);
  });

  it('serves the investigator console from dist/console (built alongside; no esbuild at run time)', async () => {
    const page = await fetch(`${url}/console`);
    expect(page.status).toBe(200);
    const script = /src="\/console\/assets\/([^"]+\.js)"/.exec(await page.text())?.[1] ?? '';
    expect(existsSync(path.join(dist, 'console', script)), script).toBe(true);
    expect((await fetch(`${url}/console/assets/${script}`)).status).toBe(200);
  });

  it('stops on SIGTERM with exit code 0, its worker released', async () => {
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  });
});

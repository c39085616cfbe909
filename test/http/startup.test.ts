// Before the service is built (store, rules, model, graph), the port already answers: alive for
// the orchestrator's liveness probe, not ready for its readiness probe and for every caller.
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerWhileStarting } from '../../src/main';
import { application } from '../support/factories';
import { startServiceProcess } from '../support/process';
import { tempDir } from '../support/server';

describe('while starting', () => {
  const server = createServer(answerWhileStarting);
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('is alive, not ready, and turns decisions away with a coded 503 and Retry-After', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', checks: { startup: { ok: false } } });
    const decide = await fetch(`${url}/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(application()) });
    expect(decide.status).toBe(503);
    expect(decide.headers.get('retry-after')).toBe('5');
    expect(((await decide.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('npm start listens before it is built, then logs ready and serves', async () => {
    const dataDir = tempDir();
    const running = await startServiceProcess({ DATA_DIR: dataDir });
    try {
      expect(running.output().indexOf('"msg":"listening"')).toBeLessThan(running.output().indexOf('"msg":"ready"'));
      expect((await fetch(`${running.url}/ready`)).status).toBe(200);
      // Everything the service wrote is its own user's alone.
      for (const file of readdirSync(dataDir)) expect(statSync(path.join(dataDir, file)).mode & 0o077, file).toBe(0);
    } finally {
      running.child.kill('SIGKILL');
    }
  });
});

describe('a port in use', () => {
  it('is one line on stderr naming the port and exit code 78, like a bad setting', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: tempDir(), LOG_LEVEL: 'silent', RULES_WATCH: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(78);
      expect(stderr.trim().split('\n')).toEqual([`PORT/HOST: cannot listen on 127.0.0.1:${port} (EADDRINUSE: the port is in use)`]);
    } finally {
      blocker.close();
    }
  }, 30_000);
});

// Starts the real service (real store in a temp folder, real rules) on an ephemeral port.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadSettings } from '../../src/config/settings';
import { createService, type Service, type ServiceOverrides } from '../../src/main';
import { createLogger } from '../../src/observability/logger';

export const REPO_RULES = path.resolve(import.meta.dirname, '../../rules');

export interface TestServer {
  readonly url: string;
  readonly service: Service;
  readonly dataDir: string;
  readonly rulesDir: string;
  post(pathname: string, body: unknown): Promise<{ status: number; body: any }>;
  /** POST with a raw body and content type, for malformed input. */
  raw(pathname: string, body: string, contentType?: string): Promise<{ status: number; body: any }>;
  get(pathname: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A fresh folder under the run's scratch folder (removed when the run ends). */
export function tempDir(prefix = 'decision-test-'): string {
  return mkdtempSync(path.join(process.env.TEST_SCRATCH_DIR ?? tmpdir(), prefix));
}

/** A private copy of the repository's rules, for tests that edit them. */
export function copyRules(): string {
  const dir = path.join(tempDir('rules-'), 'rules');
  cpSync(REPO_RULES, dir, { recursive: true });
  return dir;
}

export async function startTestServer(
  options: { rulesDir?: string; env?: Record<string, string>; overrides?: ServiceOverrides; dataDir?: string; logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const rulesDir = options.rulesDir ?? REPO_RULES;
  const settings = loadSettings({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    RULES_DIR: rulesDir,
    RULES_WATCH: 'false',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const service = await createService(settings, options.logger ?? createLogger('silent'), options.overrides);
  const server = service.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, pathname: string, body?: unknown, rawBody?: string, contentType = 'application/json') => {
    const res = await fetch(url + pathname, {
      method,
      headers: body === undefined && rawBody === undefined ? {} : { 'content-type': contentType },
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON (e.g. /metrics) */
    }
    return { status: res.status, body: parsed as any };
  };
  return {
    url,
    service,
    dataDir,
    rulesDir,
    post: (p, b) => call('POST', p, b),
    raw: (p, b, type) => call('POST', p, undefined, b, type),
    get: (p) => call('GET', p),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

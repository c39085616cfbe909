// Starts the real service (real store in a temp folder, real rules) on an ephemeral port.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { generateApiKey, type ApiKeyEntry } from '../../src/access/api-keys';
import { loadSettings } from '../../src/config/settings';
import { createService, type Service, type ServiceOverrides } from '../../src/main';
import { createLogger } from '../../src/observability/logger';

export const REPO_RULES = path.resolve(import.meta.dirname, '../../rules');

/** The callers every test server admits, one API key each (see TEST_CALLERS). */
export const TEST_CALLERS = {
  admin: { roles: ['admin'] },
  los: { roles: ['origination'] },
  otherLos: { roles: ['origination'] },
  reviewerL1: { roles: ['reviewer'], level: 'L1' },
  reviewerL2: { roles: ['reviewer'], level: 'L2' },
  reviewerL3: { roles: ['reviewer'], level: 'L3' },
  otherReviewerL3: { roles: ['reviewer'], level: 'L3' },
  investigator: { roles: ['investigator'] },
  secondInvestigator: { roles: ['investigator'] },
  analyst: { roles: ['analyst'] },
  monitoring: { roles: ['monitoring'] },
} as const satisfies Record<string, Omit<ApiKeyEntry, 'id' | 'sha256'>>;
export type TestCaller = keyof typeof TEST_CALLERS;

/** Writes a keys file admitting every TEST_CALLERS entry; returns the file and each caller's key. */
export function writeTestKeys(dir: string): { file: string; keys: Record<TestCaller, string> } {
  const keys = {} as Record<TestCaller, string>;
  const entries: ApiKeyEntry[] = [];
  for (const [id, spec] of Object.entries(TEST_CALLERS) as [TestCaller, Omit<ApiKeyEntry, 'id' | 'sha256'>][]) {
    const made = generateApiKey({ id, ...spec });
    keys[id] = made.key;
    entries.push(made.entry);
  }
  const file = path.join(dir, 'test-api-keys.json');
  writeFileSync(file, JSON.stringify({ keys: entries }, null, 2), { mode: 0o600 });
  return { file, keys };
}

type Reply = Promise<{ status: number; body: any; headers: Headers }>;

export interface TestClient {
  post(pathname: string, body: unknown): Reply;
  /** POST with a raw body and content type, for malformed input. */
  raw(pathname: string, body: string, contentType?: string): Reply;
  get(pathname: string): Reply;
}

/** A test server; its own post/get/raw call as `admin` (as(caller) for any other role, anonymous() for none). */
export interface TestServer extends TestClient {
  readonly url: string;
  readonly service: Service;
  readonly dataDir: string;
  readonly rulesDir: string;
  readonly keys: Readonly<Record<TestCaller, string>>;
  /** The API keys file the server reads (tests rotate keys by rewriting it). */
  readonly keysFile: string;
  as(caller: TestCaller): TestClient;
  /** Calls with no credential, or with the given Authorization header verbatim. */
  anonymous(authorization?: string): TestClient;
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
  const { file: keysFile, keys } = writeTestKeys(tempDir('keys-'));
  const settings = loadSettings({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    RULES_DIR: rulesDir,
    RULES_WATCH: 'false',
    LOG_LEVEL: 'silent',
    API_KEYS_FILE: keysFile,
    // Tests that fire hundreds of requests at once check correctness under concurrency, not load
    // shedding: they queue rather than being refused (test/http/admission.test.ts sets real limits).
    DECIDE_QUEUE: '100000',
    DECIDE_QUEUE_WAIT_MS: '60000',
    DECIDE_MAX_EVENT_LOOP_DELAY_MS: '60000',
    ...options.env,
  });
  const service = await createService(settings, options.logger ?? createLogger('silent'), options.overrides);
  const server = service.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (authorization: string | undefined, method: string, pathname: string, body?: unknown, rawBody?: string, contentType = 'application/json') => {
    const headers: Record<string, string> = body === undefined && rawBody === undefined ? {} : { 'content-type': contentType };
    if (authorization !== undefined) headers.authorization = authorization;
    const res = await fetch(url + pathname, { method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON (e.g. /metrics) */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  const client = (authorization: string | undefined): TestClient => ({
    post: (p, b) => call(authorization, 'POST', p, b),
    raw: (p, b, type) => call(authorization, 'POST', p, undefined, b, type),
    get: (p) => call(authorization, 'GET', p),
  });
  return {
    url,
    service,
    dataDir,
    rulesDir,
    keys,
    keysFile: settings.apiKeysFile ?? keysFile,
    ...client(`Bearer ${keys.admin}`),
    as: (caller) => client(`Bearer ${keys[caller]}`),
    anonymous: (authorization) => client(authorization),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

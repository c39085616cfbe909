// Starts the real service (real store in a temp folder, real rules) on an ephemeral port. The
// rules are the shipped ones with generous budgets (see TEST_BUDGET_FACTOR) unless a test passes
// its own rulesDir.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
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

/**
 * Tests that fire hundreds of requests at once check correctness under concurrency, not load
 * shedding: they queue rather than being refused, also when a loaded machine delays the event loop
 * (test/http/admission.test.ts sets real limits).
 */
export const TEST_ADMISSION_ENV = {
  DECIDE_QUEUE: '100000',
  DECIDE_QUEUE_WAIT_MS: '60000',
  DECIDE_MAX_EVENT_LOOP_DELAY_MS: '60000',
} as const;

/** A fresh folder under the run's scratch folder (removed when the run ends). */
export function tempDir(prefix = 'decision-test-'): string {
  return mkdtempSync(path.join(process.env.TEST_SCRATCH_DIR ?? tmpdir(), prefix));
}

/**
 * How much longer than in production every flow and stage budget is in the rules tests run with.
 * The shipped flows give a stage 20-50 ms: right for the service on a quiet machine, but one
 * scheduler stall on a loaded 2-core CI box then turns an expected `approve` into a fallback
 * `review`, and the test fails for a reason unrelated to what it checks. Tests assert behaviour,
 * not speed (timing figures live in `npm run bench`), so they get budgets 20 times as generous
 * (capped at the schema's 10 s maximum). Tests about budgets say which budgets they need.
 */
export const TEST_BUDGET_FACTOR = 20;
/** The rule schema's largest budget (rules/schema/flow.schema.json). */
const MAX_BUDGET_MS = 10_000;

export interface RulesCopyOptions {
  /** Multiplies every flow's and stage's budgetMs (1: the shipped budgets). */
  readonly budgetFactor?: number;
  /** Stages that keep their shipped budget whatever the factor (e.g. ['fraud'] to time it out). */
  readonly keepStageBudgets?: readonly string[];
}

/**
 * Rewrites the budgets of every flow file under `dir` in place: only the `"budgetMs": N` numbers
 * change (same text otherwise, so line numbers and formatting in error messages stay as shipped).
 */
function scaleBudgets(dir: string, { budgetFactor = TEST_BUDGET_FACTOR, keepStageBudgets = [] }: RulesCopyOptions): void {
  if (budgetFactor === 1) return;
  const flows = path.join(dir, 'flows');
  for (const name of readdirSync(flows).filter((f) => f.endsWith('.json'))) {
    const file = path.join(flows, name);
    const text = readFileSync(file, 'utf8');
    // The budget after a `"stage": "name"` belongs to that stage; the first, before any, to the flow.
    let stage: string | undefined;
    const scaled = text.replace(/"stage":\s*"([^"]+)"|"budgetMs":\s*(\d+)/g, (match, stageName: string | undefined, ms: string | undefined) => {
      if (stageName !== undefined) {
        stage = stageName;
        return match;
      }
      if (stage !== undefined && keepStageBudgets.includes(stage)) return match;
      return `"budgetMs": ${Math.min(Number(ms) * budgetFactor, MAX_BUDGET_MS)}`;
    });
    // The same edit made on the parsed flow: the text edit must agree with it (a reordered flow file fails here, not silently).
    const expected = JSON.parse(text) as { budgetMs: number; stages: { stage: string; budgetMs: number }[] };
    expected.budgetMs = Math.min(expected.budgetMs * budgetFactor, MAX_BUDGET_MS);
    for (const s of expected.stages) if (!keepStageBudgets.includes(s.stage)) s.budgetMs = Math.min(s.budgetMs * budgetFactor, MAX_BUDGET_MS);
    if (!isDeepStrictEqual(JSON.parse(scaled), expected)) throw new Error(`scaling the budgets of ${file} did not edit exactly its budgetMs values`);
    writeFileSync(file, scaled);
  }
}

/**
 * A private copy of the repository's rules, for tests that edit them: the shipped rules with
 * budgets TEST_BUDGET_FACTOR times longer unless `options` says otherwise ({ budgetFactor: 1 }
 * for the shipped budgets).
 */
export function copyRules(options: RulesCopyOptions = {}): string {
  const dir = path.join(tempDir('rules-'), 'rules');
  cpSync(REPO_RULES, dir, { recursive: true });
  scaleBudgets(dir, options);
  return dir;
}

let testRules: string | undefined;
/**
 * The rules test servers use by default: the shipped rules with TEST_BUDGET_FACTOR budgets,
 * written once per test process (test file) and shared read-only; copyRules() to edit them.
 */
export function testRulesDir(): string {
  testRules ??= copyRules();
  return testRules;
}

const LISTEN_BACKLOG = 4096;

export async function startTestServer(
  options: { rulesDir?: string; env?: Record<string, string>; overrides?: ServiceOverrides; dataDir?: string; logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const rulesDir = options.rulesDir ?? testRulesDir();
  const { file: keysFile, keys } = writeTestKeys(tempDir('keys-'));
  const settings = loadSettings({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    RULES_DIR: rulesDir,
    RULES_WATCH: 'false',
    LOG_LEVEL: 'silent',
    API_KEYS_FILE: keysFile,
    ...TEST_ADMISSION_ENV,
    ...options.env,
  });
  const service = await createService(settings, options.logger ?? createLogger('silent'), options.overrides);
  // Tests send up to 1,000 requests at once. With Node's default accept backlog (511) a loaded
  // machine, slow to accept, overflows the queue and the kernel resets some of those connections
  // (ECONNRESET): room for every connection a test opens (the kernel caps it at somaxconn).
  const server = service.app.listen(0, '127.0.0.1', LISTEN_BACKLOG);
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

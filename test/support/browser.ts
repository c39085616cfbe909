// Real-browser support for the console's end-to-end tests (issue 17): Debian's Chromium driven by
// playwright-core, pages that record every console error, page error and failed request, an
// axe-core accessibility check, screenshots into the test's output folder, and Tab navigation.
// The tests start the browser themselves (no Playwright test runner, no downloaded browsers).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium package (CI installs it); CHROMIUM_PATH points elsewhere on a developer's machine. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why each flag:
 *  - --no-sandbox: the tests run as root, where Chromium refuses to start sandboxed.
 *  - --disable-gpu: no GPU here; WebGL still works through SwiftShader (next two flags).
 *  - --use-angle=swiftshader --enable-unsafe-swiftshader: sigma.js draws with WebGL. Chromium no
 *    longer falls back to software WebGL by itself (the fallback is deprecated), so ask for
 *    ANGLE on SwiftShader explicitly rather than depend on Playwright's defaults or the build.
 *  - --disable-quic --disable-background-networking --disable-component-update --disable-sync
 *    --no-first-run: this closed network refuses Chromium's background connections (component
 *    updates, sync, QUIC probes), and the refusals otherwise stall and pollute the page's logs.
 *  - --disable-dev-shm-usage: containers often have a tiny /dev/shm, where renderers crash.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Starting Chromium takes ~1 s on a quiet machine; a loaded 2-core CI box can take many times that. */
const LAUNCH_TIMEOUT_MS = 60_000;

/** Launches headless Chromium; throws (never skips) when it is not installed, saying how to get it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the console's browser tests need it ` +
        `(apt-get install chromium, as .ci/run does; or set CHROMIUM_PATH to a Chromium binary).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], timeout: LAUNCH_TIMEOUT_MS });
}

/**
 * Default timeouts for actions and navigations. Playwright's 30 s navigation default and no
 * action limit suit a quiet machine; on a loaded 2-core box a page that never appears should
 * fail well inside vitest's own 30 s test timeout, with Playwright's message saying what it waited for.
 */
export const ACTION_TIMEOUT_MS = 15_000;
export const NAVIGATION_TIMEOUT_MS = 20_000;

export interface ConsolePage {
  readonly page: Page;
  readonly context: BrowserContext;
  /**
   * Console errors, uncaught page errors, requests that failed at the network level and
   * responses with a 5xx status, in order, as one line each: a test ends with
   * `expect(errors).toEqual([])`. A test that provokes an error on purpose removes it itself.
   */
  readonly errors: string[];
  /** Closes the page's context (and so the page). */
  close(): Promise<void>;
}

export interface OpenPageOptions {
  /** Headers on every request the page makes (e.g. an Authorization header, if the console takes its key that way). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** A fresh context (no shared cookies or storage between tests) with one page, relative URLs resolving against baseUrl. */
export async function openPage(browser: Browser, baseUrl: string, options: OpenPageOptions = {}): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.headers ? { extraHTTPHeaders: { ...options.headers } } : {}),
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location();
    errors.push(`console.error: ${message.text()}${where.url ? ` (${where.url}:${where.lineNumber})` : ''}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    // A navigation or fetch the page itself abandoned (leaving a page mid-load, AbortController) is not a failure.
    if (failure === 'net::ERR_ABORTED') return;
    errors.push(`request failed: ${request.method()} ${request.url()}: ${failure}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`server error: ${response.request().method()} ${response.url()}: ${response.status()}`);
  });
  return { page, context, errors, close: () => context.close() };
}

/** WCAG 2.0, 2.1 and 2.2 level A and AA: what the issue's "readable contrast and keyboard navigation" needs. */
export const AXE_TAGS: readonly string[] = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** An axe context: a selector, or selectors to include and exclude (serialisable, it crosses into the page). */
export type AxeContext = string | { readonly include?: readonly string[]; readonly exclude?: readonly string[] };

export interface AxeCheckOptions {
  /** What to check (default: the whole document). */
  readonly context?: AxeContext;
  /** Rule tags to run (default AXE_TAGS). */
  readonly tags?: readonly string[];
}

/** A serious or critical violation, readable in a failed `expect(violations).toEqual([])`. */
export interface AxeViolation {
  readonly rule: string;
  readonly impact: 'serious' | 'critical';
  readonly help: string;
  /** One CSS selector path per offending element (at most 10, then a count of the rest). */
  readonly targets: readonly string[];
  readonly helpUrl: string;
}

interface RawAxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[] }[];
}

let axeSource: string | undefined;
/** axe.min.js, read once per test process from the installed axe-core. */
function axeScript(): string {
  if (axeSource === undefined) {
    const main = createRequire(import.meta.url).resolve('axe-core');
    axeSource = readFileSync(path.join(path.dirname(main), 'axe.min.js'), 'utf8');
  }
  return axeSource;
}

/**
 * Runs axe-core in the page and returns its serious and critical WCAG A/AA violations (minor and
 * moderate ones are advice, not failures). axe.min.js is evaluated through DevTools rather than
 * added as a <script> tag (page.addScriptTag): a console served with a Content-Security-Policy
 * forbidding inline scripts refuses the tag and logs that refusal as a console error (which the
 * page's `errors` would then report), while DevTools evaluation is not governed by CSP, so the
 * check needs neither the page's policy loosened (bypassCSP) nor errors filtered.
 */
export async function axeCheck(page: Page, options: AxeCheckOptions = {}): Promise<AxeViolation[]> {
  const loaded = () => page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!(await loaded())) {
    await page.evaluate(`${axeScript()}\n;globalThis.axe = axe;`);
    if (!(await loaded())) throw new Error('axe-core could not be loaded into the page');
  }
  const raw = await page.evaluate(
    async ({ context, tags }) => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: RawAxeViolation[] }> } }).axe;
      const doc = (globalThis as unknown as { document: unknown }).document;
      const result = await axe.run(context ?? doc, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target })) }));
    },
    { context: options.context as AxeContext | undefined, tags: [...(options.tags ?? AXE_TAGS)] },
  );
  return raw
    .filter((v): v is RawAxeViolation & { impact: 'serious' | 'critical' } => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const targets = v.nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' '));
      return {
        rule: v.id,
        impact: v.impact,
        help: v.help,
        targets: targets.length > 10 ? [...targets.slice(0, 10), `… and ${targets.length - 10} more`] : targets,
        helpUrl: v.helpUrl,
      };
    });
}

/** Where every test's output goes: test-output/ in the repository (git-ignored), or TEST_OUTPUT_DIR. */
export const TEST_OUTPUT_ROOT = process.env.TEST_OUTPUT_DIR ?? path.resolve(import.meta.dirname, '../../test-output');

/**
 * The screenshot folder of a test file: test-output/console/<file name without .test.ts>/,
 * created if needed. Kept after the run (CI keeps it as an artefact; the README's screenshot is
 * taken from it). Defaults to the test file vitest is running.
 */
export function screenshotDir(testFile: string | undefined = expect.getState().testPath): string {
  if (!testFile) throw new Error('screenshotDir() outside a running test: pass the test file (import.meta.filename)');
  const name = path.basename(testFile).replace(/\.test\.[cm]?[jt]sx?$/, '').replace(/\.[cm]?[jt]sx?$/, '');
  const dir = path.join(TEST_OUTPUT_ROOT, 'console', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Screenshots the whole page as <name>.png in the running test file's folder (or `dir`); returns the file. */
export async function shoot(page: Page, name: string, dir: string = screenshotDir()): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
  const file = path.join(dir, safe.endsWith('.png') ? safe : `${safe}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** What has keyboard focus, as seen by a keyboard user: the element, its role and accessible-ish name. */
export interface FocusedElement {
  readonly tag: string;
  readonly id: string;
  readonly role: string | null;
  /** aria-label, else the text content (trimmed, at most 200 characters). */
  readonly name: string;
  readonly href: string | null;
  readonly testId: string | null;
}

/** The focused element (null when focus is on the document body or nowhere). */
export async function focused(page: Page): Promise<FocusedElement | null> {
  return page.evaluate(() => {
    type El = {
      tagName: string;
      id: string;
      textContent: string | null;
      getAttribute(name: string): string | null;
    };
    const doc = (globalThis as unknown as { document: { activeElement: El | null; body: El | null } }).document;
    const el = doc.activeElement;
    if (!el || el === doc.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      role: el.getAttribute('role'),
      name: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 200),
      href: el.getAttribute('href'),
      testId: el.getAttribute('data-testid'),
    };
  });
}

/**
 * Presses Tab (Shift+Tab with `backwards`) up to `max` times until the focused element matches:
 * a CSS selector (tested in the page with Element.matches) or a predicate over FocusedElement.
 * Returns whether it got there, so a keyboard-navigation test asserts reachability by keys alone.
 */
export async function tabTo(
  page: Page,
  predicate: string | ((element: FocusedElement) => boolean),
  options: { readonly max?: number; readonly backwards?: boolean } = {},
): Promise<boolean> {
  const max = options.max ?? 50;
  const matches = async (): Promise<boolean> => {
    if (typeof predicate === 'string') {
      return page.evaluate((selector) => {
        const doc = (globalThis as unknown as { document: { activeElement: { matches(s: string): boolean } | null } }).document;
        return doc.activeElement?.matches(selector) ?? false;
      }, predicate);
    }
    const element = await focused(page);
    return element !== null && predicate(element);
  };
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    if (await matches()) return true;
  }
  return false;
}

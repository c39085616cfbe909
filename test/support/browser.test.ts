// The console tests' support checked on its own: Chromium starts and has WebGL (sigma.js needs
// it), the axe check tells a page with a serious violation from a clean one (also under a strict
// CSP), screenshots land in the output folder, and Tab navigation finds an element. The seeded
// population is checked where it is used (test/http/console.test.ts).
import { existsSync, statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeCheck, launchChromium, openPage, shoot, tabTo, type ConsolePage } from './browser';

const html = (body: string, head = '') => `data:text/html,${encodeURIComponent(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>${head}</head><body><main>${body}</main></body></html>`)}`;

let browser: Browser | undefined;
let tab: ConsolePage;

beforeAll(async () => {
  browser = await launchChromium();
  tab = await openPage(browser, 'http://127.0.0.1:9');
});
afterAll(async () => {
  await browser?.close();
});

describe('Chromium', () => {
  it('draws with WebGL (through SwiftShader, no GPU)', async () => {
    await tab.page.goto(html('<canvas></canvas>'));
    const renderer = await tab.page.evaluate(`(() => {
      const c = document.createElement('canvas');
      const gl = c.getContext('webgl2') || c.getContext('webgl');
      return gl ? gl.getParameter(gl.VERSION) : null;
    })()`);
    expect(renderer).toEqual(expect.stringContaining('WebGL'));
    expect(tab.errors).toEqual([]);
  });

  it('finds a serious axe violation, and none on a clean page, also under a CSP forbidding inline scripts', async () => {
    await tab.page.goto(html('<h1>Clusters</h1><p style="color:#bbb;background:#fff">low contrast text</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'));
    const violations = await axeCheck(tab.page);
    expect(violations.map((v) => v.rule).sort()).toEqual(['color-contrast', 'image-alt']);
    expect(violations[0]?.targets.length).toBeGreaterThan(0);
    await tab.page.goto(html('<h1>Clusters</h1><p>readable text</p><a href="#x">a link</a>', `<meta http-equiv="Content-Security-Policy" content="script-src 'self'">`));
    expect(await axeCheck(tab.page)).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('writes a screenshot and reaches an element by Tab alone', async () => {
    await tab.page.goto(html('<a href="#a">first</a> <button id="second">second</button> <a href="#c" data-testid="third">third</a>'));
    const file = await shoot(tab.page, 'self test');
    expect(existsSync(file) && statSync(file).size).toBeGreaterThan(100);
    expect(file).toMatch(/test-output\/console\/browser\/self-test\.png$/);
    expect(await tabTo(tab.page, '#second')).toBe(true);
    expect(await tabTo(tab.page, (el) => el.testId === 'third')).toBe(true);
    expect(await tabTo(tab.page, '#missing', { max: 5 })).toBe(false);
    expect(tab.errors).toEqual([]);
  });
});

// GET /console and its assets: served by the service itself, without a credential (they hold no
// data), from a fixed map of built files (no path from the request ever reaches the disk), with a
// strict Content-Security-Policy; the API behind them still needs a credential for every call.
import express from 'express';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRouter, defaultConsoleFiles, readConsoleFolder } from '../../src/http/console-routes';
import { startTestServer, tempDir, type TestServer } from '../support/server';

describe('the investigator console route', () => {
  let server: TestServer;
  let html = '';
  let script = '';
  let style = '';

  beforeAll(async () => {
    server = await startTestServer();
    const page = await fetch(`${server.url}/console`);
    html = await page.text();
    script = /src="\/console\/assets\/(console-[A-Za-z0-9]+\.js)"/.exec(html)?.[1] ?? '';
    style = /href="\/console\/assets\/(console-[A-Za-z0-9]+\.css)"/.exec(html)?.[1] ?? '';
  });
  afterAll(() => server?.close());

  it('serves the page without a credential, with a strict policy and no caching of the page', async () => {
    const res = await fetch(`${server.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(html).toContain('<html lang="en">');
    expect(script).not.toBe('');
    expect(style).not.toBe('');
    expect((await fetch(`${server.url}/console/`)).status).toBe(200);
  });

  it('serves the content-hashed assets for a year, revalidates by ETag, and gzips when asked', async () => {
    const js = await fetch(`${server.url}/console/assets/${script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = await js.text();
    expect(body.length).toBeGreaterThan(100_000);
    const again = await fetch(`${server.url}/console/assets/${script}`, { headers: { 'if-none-match': js.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    // fetch asks for gzip itself and decodes it.
    const zipped = await fetch(`${server.url}/console/assets/${script}`);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(await zipped.text()).toBe(body);
    const css = await fetch(`${server.url}/console/assets/${style}`, { method: 'HEAD' });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('opens nothing else: no other file, no path, no other method, and the API still needs a credential', async () => {
    const anonymous = server.anonymous();
    expect((await anonymous.get('/console/assets/console.js')).body.error.code).toBe('ROUTE_NOT_FOUND');
    expect((await anonymous.get('/console/assets/index.html')).status).toBe(404);
    for (const probe of ['/console/assets/..%2f..%2fpackage.json', '/console/assets/%2e%2e/package.json', '/console/../package.json', '/console/assets/x/y.js', '/console/other', '/CONSOLE', '/console/assets/']) {
      const res = await fetch(`${server.url}${probe}`);
      expect([401, 404], probe).toContain(res.status);
      expect(res.headers.get('content-type'), probe).toContain('application/json');
    }
    expect((await anonymous.post('/console', {})).status).toBe(401);
    expect((await anonymous.get('/clusters')).status).toBe(401);
    expect((await server.as('investigator').get('/clusters')).status).toBe(200);
  });

  it('serves a built console folder (dist/console) the same way: the files npm run build writes', async () => {
    const dir = path.join(tempDir('console-dist-'), 'console');
    mkdirSync(dir, { recursive: true });
    // The build this process made for the server above (scripts/console-build.mjs, as npm run build).
    const built = await defaultConsoleFiles();
    for (const file of built) writeFileSync(path.join(dir, file.name), file.contents);
    writeFileSync(path.join(dir, 'notes.txt'), 'not served');
    expect(readConsoleFolder(dir).map((f) => f.name).sort()).toEqual(built.map((f) => f.name).sort());

    const app = express();
    app.use(consoleRouter({ files: async () => readConsoleFolder(dir) }));
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      const page = await fetch(`${base}/console`);
      expect(page.status).toBe(200);
      const name = /src="\/console\/assets\/([^"]+)"/.exec(await page.text())?.[1];
      expect(name).toMatch(/^console-[A-Za-z0-9]+\.js$/);
      const js = await fetch(`${base}/console/assets/${name}`, { headers: { 'accept-encoding': 'identity' } });
      // Compared whole (Buffer.equals: toEqual walks 490 KB element by element for seconds).
      expect(Buffer.from(await js.arrayBuffer()).equals(Buffer.from(built.find((f) => f.name === name)?.contents ?? []))).toBe(true);
      expect((await fetch(`${base}/console/assets/notes.txt`)).status).toBe(404);
    } finally {
      listener.close();
    }
  });
});

// Serves the investigator console (src/console, a browser bundle): GET /console is its page,
// GET /console/assets/<name> its script and style sheet. Static files only, holding no data: every
// data call the page makes goes to the API with the investigator's own credential.
//
// The files are a fixed map built once per process, looked up by exact name; no request ever
// names a path on disk. They come from dist/console (written by `npm run build` next to the
// bundle running) or, when the service runs from its TypeScript sources (`npm run dev`, tests),
// from an in-memory esbuild build of src/console made on the first request, so start-up never
// waits for it (about half a second, once per process).
//
// Deliberately a middleware, not API routes: the console is no operation of the API (the OpenAPI
// document and the access table list those), and anything else falls through to the API's 404.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import express, { type NextFunction, type Request, type Response } from 'express';

export interface ConsoleFile {
  readonly name: string;
  readonly contents: Uint8Array;
}

/** Where the console's files come from (called once; the router keeps the answer). */
export type ConsoleFiles = () => Promise<readonly ConsoleFile[]>;

interface Asset {
  readonly body: Buffer;
  /** The same, gzipped once at load (sigma makes the script about 480 KB, 125 KB gzipped). */
  readonly gzipped: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The page runs only its own script and style sheet and talks only to this origin. Two widenings,
 * both for the graph view: ForceAtlas2's layout worker is started from a blob: URL (the library
 * builds it from a function's source), and sigma may draw node images from data:/blob: URLs.
 */
export const CONSOLE_CSP = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** A built file name: the shapes scripts/console-build.mjs writes, nothing with a separator. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

function assetOf(file: ConsoleFile): Asset | undefined {
  const type = TYPES[path.extname(file.name)];
  if (!type || !FILE_NAME.test(file.name)) return undefined;
  const body = Buffer.from(file.contents);
  return {
    body,
    gzipped: gzipSync(body, { level: 9 }),
    type,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    // index.html names the current assets, so it is revalidated on every load; the assets carry
    // their content hash in their names and never change under one.
    cacheControl: file.name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  };
}

/** The files of a built console folder (dist/console): every regular file with a served type. */
export function readConsoleFolder(folder: string): ConsoleFile[] {
  return readdirSync(folder)
    .filter((name) => FILE_NAME.test(name) && TYPES[path.extname(name)] !== undefined && statSync(path.join(folder, name)).isFile())
    .map((name) => ({ name, contents: readFileSync(path.join(folder, name)) }));
}

interface ConsoleBuildScript {
  buildConsole(esbuild: unknown, root: string): Promise<ConsoleFile[]>;
}

/** src/console bundled in memory with the build's own definition (scripts/console-build.mjs). */
export async function buildConsoleFromSources(root: string): Promise<ConsoleFile[]> {
  let esbuild: unknown;
  try {
    // A dev dependency, present wherever the TypeScript sources run; the specifier is a variable so
    // the service's own bundle does not try to resolve it.
    const name = 'esbuild';
    esbuild = await import(name);
  } catch {
    throw new Error('the console is not built: run `npm run build` (esbuild, a dev dependency, is not installed)');
  }
  const script = (await import(pathToFileURL(path.join(root, 'scripts/console-build.mjs')).href)) as ConsoleBuildScript;
  return script.buildConsole(esbuild, root);
}

let fromSources: Promise<readonly ConsoleFile[]> | undefined;

/**
 * The console's files for the code running now: dist/console next to the bundle (npm start, the
 * image), or, from the TypeScript sources, one in-memory build per process shared by every
 * service it creates (tests create many).
 */
export const defaultConsoleFiles: ConsoleFiles = async () => {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return readConsoleFolder(path.join(path.dirname(here), 'console'));
  fromSources ??= buildConsoleFromSources(path.resolve(path.dirname(here), '../..')).catch((err: unknown) => {
    fromSources = undefined;
    throw err;
  });
  return fromSources;
};

export interface ConsoleRouterOptions {
  readonly files?: ConsoleFiles;
  /** Told once, when the files are ready, how long they took (a build from sources is the slow case). */
  readonly onLoaded?: (detail: { files: number; bytes: number; ms: number }) => void;
}

export function consoleRouter(options: ConsoleRouterOptions = {}): express.Router {
  const load = options.files ?? defaultConsoleFiles;
  let assets: Promise<ReadonlyMap<string, Asset>> | undefined;
  const assetsNow = () => {
    assets ??= (async () => {
      const started = performance.now();
      const files = await load();
      const map = new Map<string, Asset>();
      for (const file of files) {
        const asset = assetOf(file);
        if (asset) map.set(file.name, asset);
      }
      if (!map.has('index.html')) throw new Error('the console build has no index.html');
      options.onLoaded?.({ files: map.size, bytes: [...map.values()].reduce((n, a) => n + a.body.length, 0), ms: Math.round(performance.now() - started) });
      return map;
    })().catch((err: unknown) => {
      assets = undefined;
      throw err;
    });
    return assets;
  };

  const router = express.Router({ caseSensitive: true, strict: true });
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path === '/console' || req.path === '/console/' ? 'index.html' : /^\/console\/assets\/([^/]+)$/.exec(req.path)?.[1];
    if (name === undefined || name === 'index.html' && req.path.startsWith('/console/assets/')) return next();
    assetsNow().then((map) => {
      const asset = map.get(name);
      if (!asset) return next();
      res.set(SECURITY_HEADERS);
      res.set({ 'cache-control': asset.cacheControl, etag: asset.etag, vary: 'accept-encoding' });
      if (req.headers['if-none-match'] === asset.etag) {
        res.status(304).end();
        return;
      }
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = gzip ? asset.gzipped : asset.body;
      res.status(200).type(asset.type).set('content-length', String(body.length));
      if (gzip) res.set('content-encoding', 'gzip');
      res.end(req.method === 'HEAD' ? undefined : body);
    }, next);
  });
  return router;
}

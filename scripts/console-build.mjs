// The investigator console's browser bundle (src/console), built in memory: one definition used by
// `npm run build` (scripts/build.mjs writes the files to dist/console/) and by the service run
// from its TypeScript sources (src/http/console-routes.ts builds it on the first request when
// there is no dist/, e.g. `npm run dev` and the tests).
//
// Output: index.html, console-<hash>.js and console-<hash>.css. The hash is in the names so the
// assets can be cached for a year; index.html, which names them, is revalidated on every load.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** @typedef {{ name: string; contents: Uint8Array }} ConsoleFile */

/**
 * @param {typeof import('esbuild')} esbuild
 * @param {string} root the repository root (holds src/console)
 * @returns {Promise<ConsoleFile[]>}
 */
export async function buildConsole(esbuild, root) {
  const source = path.join(root, 'src/console');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [
      { in: path.join(source, 'main.ts'), out: 'console' },
      { in: path.join(source, 'console.css'), out: 'console' },
    ],
    outdir: path.join(root, 'dist/console'),
    entryNames: '[name]-[hash]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    // Browsers with WebGL2 (sigma's renderer) all read ES2022.
    target: ['es2022'],
    tsconfig: path.join(source, 'tsconfig.json'),
    minify: true,
    // The ForceAtlas2 worker is spawned from a function's source text (a blob URL): it must
    // stay self-contained, which esbuild's renaming preserves (it renames inside the function only).
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  });
  if (result.errors.length > 0) throw new Error(`console build: ${result.errors.map((e) => e.text).join('; ')}`);
  const files = result.outputFiles.map((f) => ({ name: path.basename(f.path), contents: f.contents }));
  const script = files.find((f) => f.name.endsWith('.js'));
  const style = files.find((f) => f.name.endsWith('.css'));
  if (!script || !style) throw new Error('console build: expected one script and one style sheet');
  const html = readFileSync(path.join(source, 'index.html'), 'utf8')
    .replace('/console/assets/console.js', `/console/assets/${script.name}`)
    .replace('/console/assets/console.css', `/console/assets/${style.name}`);
  if (!html.includes(script.name) || !html.includes(style.name)) throw new Error('console build: index.html must name /console/assets/console.js and /console/assets/console.css');
  return [{ name: 'index.html', contents: Buffer.from(html) }, script, style];
}

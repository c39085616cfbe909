// npm run build [-- --outdir <dir>]: compiles src/ into one self-contained ESM bundle per entry
// point in dist/ (flat), run with plain node (`node dist/main.js`, no tsx at run time).
//
// Why esbuild bundles rather than tsc emits: the sources import without extensions
// (moduleResolution Bundler) and import JSON schemas with `with { type: 'json' }`; a tsc emit keeps
// both as written and plain node ESM resolves neither an extensionless import nor a relative
// directory. esbuild resolves them as the type checker does and inlines the JSON; packages stay
// external (like --packages=external: better-sqlite3 and onnxruntime-node are native, pino starts
// its own workers), loaded from the node_modules next to dist/. A package subpath that only the
// bundler's resolution finds (`ajv/dist/2020`: ajv has no "exports", and node ESM adds no
// extension) is rewritten to the file node loads (`ajv/dist/2020.js`). Types are checked by
// `npm run typecheck`, not here.
//
// The layout is flat on purpose: every bundle sits next to the worker entries, so code that starts
// a worker finds it at `new URL('./recluster-worker.js', import.meta.url)` from whichever bundle it
// was inlined into (src/graph/recluster-runner.ts, src/store/audit-store.ts, src/decision/backtest-run.ts, src/cli/import.ts).
// A worker file a bundle names (a "./<name>.js" literal) that is no entry point fails the build.
//
// The investigator console (src/console, browser code) is bundled alongside by
// scripts/console-build.mjs into dist/console/ (index.html and content-hashed assets), which
// src/http/console-routes.ts serves.
//
// Each file is written to a temporary name and renamed, and unchanged files are not rewritten: a
// service already running from dist/ (or starting while `npm start` rebuilds) never reads a
// half-written bundle.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildConsole } from './console-build.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Output name (dist/<name>.js) → source. */
const ENTRY_POINTS = {
  main: 'src/main.ts',
  'recluster-worker': 'src/graph/recluster-worker.ts',
  'decision-writer': 'src/store/decision-writer.ts',
  'backtest-worker': 'src/decision/backtest-worker.ts',
  import: 'src/cli/import.ts',
  'import-worker': 'src/cli/import-worker.ts',
  'api-key': 'src/cli/api-key.ts',
  rekey: 'src/cli/rekey.ts',
  replay: 'src/cli/replay.ts',
  backtest: 'src/cli/backtest.ts',
  'rules-check': 'src/cli/rules-check.ts',
  'rules-test': 'src/cli/rules-test.ts',
};

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' }, quiet: { type: 'boolean', default: false } } });
const outdir = path.resolve(ROOT, values.outdir);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('build: esbuild is not installed (a dev dependency): run `npm ci` with dev dependencies, or run an already built dist/ with `node dist/main.js`\n');
  process.exit(1);
}

const isFile = (file) => statSync(file, { throwIfNoEntry: false })?.isFile() === true;

/** Every package import stays external, as a specifier node's own ESM resolution loads. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'default-resolution') return undefined;
      if (args.path.startsWith('node:') || !/^(@[^/]+\/)?[^/@]+\//.test(args.path)) return { path: args.path, external: true };
      // A subpath: what node would load (the build's node_modules are the run's: dist/ sits next to them).
      const nodeTarget = fileURLToPath(import.meta.resolve(args.path));
      if (isFile(nodeTarget)) return { path: args.path, external: true };
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'default-resolution' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const suffix = resolved.path.startsWith(nodeTarget) ? resolved.path.slice(nodeTarget.length) : undefined;
      if (suffix === undefined || !isFile(nodeTarget + suffix)) return { errors: [{ text: `${args.path}: node ESM does not load it as written, and ${resolved.path} is not it with an extension; import the file itself` }] };
      return { path: args.path + suffix.split(path.sep).join('/'), external: true };
    });
  },
};

const started = performance.now();
// The investigator console's browser bundle (scripts/console-build.mjs) is built alongside.
const consoleBuild = buildConsole(esbuild, ROOT);
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, path.join(ROOT, file)])),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.12',
  plugins: [externalPackages],
  tsconfig: path.join(ROOT, 'tsconfig.json'),
  // Class and function names survive bundling (two modules' same-named classes are not renamed).
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});

const outputs = new Set(result.outputFiles.map((f) => path.basename(f.path)));
const missing = result.outputFiles.flatMap((f) =>
  f.path.endsWith('.js') ? [...f.text.matchAll(/"\.\/([\w.-]+\.js)"/g)].filter((m) => !outputs.has(m[1])).map((m) => `${path.basename(f.path)} names ./${m[1]}`) : [],
);
if (missing.length > 0) {
  process.stderr.write(`build: ${[...new Set(missing)].join('; ')}, which is no entry point: add its source to ENTRY_POINTS in scripts/build.mjs\n`);
  process.exit(1);
}

mkdirSync(outdir, { recursive: true });
// The bundles are ES modules whatever package.json sits above dist/ (e.g. a copy of dist alone).
const files = [...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })), { path: path.join(outdir, 'package.json'), contents: Buffer.from('{ "type": "module" }\n') }];
const consoleDir = path.join(outdir, 'console');
mkdirSync(consoleDir, { recursive: true });
const consoleFiles = (await consoleBuild).map((f) => ({ path: path.join(consoleDir, f.name), contents: f.contents }));
const written = new Set();
let changed = 0;
for (const file of [...files, ...consoleFiles]) {
  written.add(path.relative(outdir, file.path));
  let current;
  try {
    current = readFileSync(file.path);
  } catch {
    current = undefined;
  }
  if (current && Buffer.compare(current, file.contents) === 0) continue;
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
  changed++;
}
// Bundles of entry points that no longer exist go (never another build's temporary file).
for (const name of readdirSync(outdir)) {
  if (!written.has(name) && /\.js(\.map)?$/.test(name)) rmSync(path.join(outdir, name), { force: true });
}
// Console assets of earlier builds (their names carry their content hash) go too.
for (const name of readdirSync(consoleDir)) {
  if (!written.has(path.join('console', name)) && /\.(html|js|css)$/.test(name)) rmSync(path.join(consoleDir, name), { force: true });
}
if (!values.quiet) {
  const ms = Math.round(performance.now() - started);
  const script = consoleFiles.find((f) => f.path.endsWith('.js'));
  const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;
  const size = script ? `; console script ${kb(script.contents.length)}, ${kb(gzipSync(script.contents).length)} gzipped` : '';
  process.stderr.write(`build: ${Object.keys(ENTRY_POINTS).length} entry points and the console → ${path.relative(ROOT, outdir) || outdir} in ${ms} ms (${changed} file${changed === 1 ? '' : 's'} written${size})\n`);
}

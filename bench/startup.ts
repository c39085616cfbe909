// Startup time and memory (also in npm run bench; alone: npx tsx bench/startup.ts): the compiled
// build (`node dist/main.js`, what npm start and the image run) against the TypeScript source
// through tsx (`npm run dev`). Each run starts on an empty DATA_DIR (NODE_ENV=test: generated
// development keys, no production secrets) and is timed from spawn to the first 200 from /ready;
// its resident memory is read from /proc/<pid>/status then. Runs alternate; medians of STARTUP_RUNS.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.STARTUP_RUNS ?? 3);

interface Variant {
  readonly name: string;
  readonly args: readonly string[];
}

const VARIANTS: readonly Variant[] = [
  { name: 'compiled (node dist/main.js)', args: ['dist/main.js'] },
  { name: 'source (node --import tsx)', args: ['--import', 'tsx', 'src/main.ts'] },
];

interface Sample {
  readonly readyMs: number;
  /** VmRSS and VmHWM (peak) once ready, in MB; NaN where /proc is not there. */
  readonly rssMb: number;
  readonly peakMb: number;
}

const statusMb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
};

async function startOnce(variant: Variant): Promise<Sample> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-startup-'));
  const started = performance.now();
  const child = spawn(process.execPath, variant.args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, RULES_WATCH: 'false', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += String(c)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    // The port is logged as the server listens (before the service is built); /ready then says 503 until it is.
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        output += String(c);
        const match = /"port":(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`${variant.name} exited before listening:\n${output}`)));
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => (void r.body?.cancel(), r.status), () => 0);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`${variant.name} was not ready within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    return { readyMs, rssMb: statusMb(child.pid ?? 0, 'VmRSS'), peakMb: statusMb(child.pid ?? 0, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const fmt = (n: number, d = 0) => (Number.isNaN(n) ? 'n/a' : n.toFixed(d)).padStart(10);

export async function startupBench(): Promise<void> {
  const buildStarted = performance.now();
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}`);
  const buildMs = performance.now() - buildStarted;

  const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  // A first start of each, not measured: the disk cache (and tsx's transform cache) warm, as on any restart.
  for (const variant of VARIANTS) await startOnce(variant);
  for (let i = 0; i < RUNS; i++) for (const variant of VARIANTS) samples.get(variant)?.push(await startOnce(variant));

  console.log(`Startup: spawn → /ready 200 on an empty DATA_DIR, resident memory once ready (median of ${RUNS})`);
  console.log('run                               ready ms    RSS MB   peak MB');
  for (const [variant, runs] of samples) {
    console.log(`${variant.name.padEnd(30)}${fmt(median(runs.map((s) => s.readyMs)))}${fmt(median(runs.map((s) => s.rssMb)))}${fmt(median(runs.map((s) => s.peakMb)))}`);
  }
  console.log(`build (npm run build): ${(buildMs / 1000).toFixed(2)} s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await startupBench();

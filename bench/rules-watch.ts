// What watching the rules folder costs the service: CPU per poll, over the shipped rules and over a
// folder of 1,000 rule files.
//   npx tsx bench/rules-watch.ts          (BENCH_RULES_WATCH_FILES=1000, BENCH_RULES_WATCH_SECONDS=5)
// A poll stats every rule file (scanRuleFolder); only when a stat moved (and once a minute) does it
// read the files and hash them (readRuleFiles + ruleSetVersion). Both are timed alone, many times,
// and then a real RuleSetHolder is left watching (a 100 ms poll) in an otherwise idle process, whose
// whole CPU time (the libuv threads' stat calls included) is divided by the polls it made.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { compileRuleSet, ruleSetVersion, type RuleFileText } from '../src/rules/compile';
import { RuleSetHolder, scanRuleFolder } from '../src/rules/hot-reload';
import { readRuleFiles } from '../src/rules/load';

const FILES = Number(process.env.BENCH_RULES_WATCH_FILES ?? 1000);
const SECONDS = Number(process.env.BENCH_RULES_WATCH_SECONDS ?? 5);
const SHIPPED = path.resolve(import.meta.dirname, '../rules');
const compile = (files: readonly RuleFileText[]) => compileRuleSet(files, { hashIdentifier: (type, raw) => `${type}:${raw}` });

/** CPU ms (user + system, every thread) and wall ms per call, over `times` calls after a warm-up. */
async function perCall(times: number, fn: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  for (let i = 0; i < Math.min(times, 20); i++) await fn();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < times; i++) await fn();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / times, wallMs: (performance.now() - start) / times };
}

/**
 * A real holder watching `dir` with a 100 ms poll for SECONDS: the polls it made, the process's CPU
 * ms meanwhile, and the longest the event loop was held up (what a /decide arriving mid-poll waits).
 */
async function livePoll(dir: string): Promise<{ polls: number; cpuMs: number; maxDelayMs: number }> {
  const initial = compile(await readRuleFiles(dir));
  if (!initial.ok) throw new Error(`${dir} does not compile`);
  const holder = new RuleSetHolder(initial.ruleSet, { rulesDir: dir, compile });
  await holder.watch({ pollMs: 100 });
  let polls = 0;
  let last = holder.diskState().checkedAt;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
    if (holder.diskState().checkedAt !== last) {
      polls++;
      last = holder.diskState().checkedAt;
    }
  }
  const used = process.cpuUsage(cpu);
  delay.disable();
  await holder.close();
  return { polls, cpuMs: (used.user + used.system) / 1000, maxDelayMs: delay.max / 1e6 };
}

/** The sampling loop alone (it wakes 200 times a second): its CPU is taken off the live figure, its stalls are the machine's. */
async function idleLoop(): Promise<{ cpuMs: number; maxDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  const used = process.cpuUsage(cpu);
  delay.disable();
  return { cpuMs: (used.user + used.system) / 1000, maxDelayMs: delay.max / 1e6 };
}

async function report(label: string, dir: string): Promise<void> {
  const scan = await scanRuleFolder(dir);
  const files = scan.signature.split('\n').length;
  const stat = await perCall(200, () => scanRuleFolder(dir));
  const read = await perCall(50, async () => ruleSetVersion(await readRuleFiles(dir)));
  const idle = await idleLoop();
  const live = await livePoll(dir);
  const perPoll = Math.max(0, live.cpuMs - idle.cpuMs) / Math.max(1, live.polls);
  console.log(`${label}: ${files} rule files in ${scan.directories.size} directories`);
  console.log(`  poll, nothing changed (stat every file):  ${stat.cpuMs.toFixed(2)} ms CPU, ${stat.wallMs.toFixed(2)} ms wall`);
  console.log(`  poll, a stat moved (read + hash all):     ${read.cpuMs.toFixed(2)} ms CPU, ${read.wallMs.toFixed(2)} ms wall`);
  console.log(`  live holder, ${live.polls} polls in ${SECONDS} s:          ${perPoll.toFixed(2)} ms CPU per poll = ${(perPoll / 10).toFixed(3)}% of a core at the default 1 s poll`);
  console.log(`  longest event-loop stall:                 ${live.maxDelayMs.toFixed(1)} ms polling, ${idle.maxDelayMs.toFixed(1)} ms not (the machine's own)`);
}

await report('shipped rules', SHIPPED);

const scratch = await mkdtemp(path.join(tmpdir(), 'bench-rules-watch-'));
try {
  const big = path.join(scratch, 'rules');
  await cp(SHIPPED, big, { recursive: true });
  // Lists no flow uses: valid rule files, so the live holder compiles the folder as the service would.
  const extra = Math.max(0, FILES - (await readRuleFiles(big)).length);
  for (let i = 0; i < extra; i++) {
    const list = { description: 'bench', identifierType: 'deviceId', entries: Array.from({ length: 20 }, (_, j) => `device-${i}-${j}`) };
    await writeFile(path.join(big, 'lists', `bench-${String(i).padStart(4, '0')}.json`), `${JSON.stringify(list, null, 2)}\n`);
  }
  await report(`${FILES} rule files`, big);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

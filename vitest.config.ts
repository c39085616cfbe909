import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The slowest files (15-30 s each on CI, by its printed durations) start first, so the two
// workers finish together instead of one running a long file alone at the end. On a fresh clone
// vitest has no timings and starts the largest files first, which put some of these last.
const SLOW_FIRST = [
  // Seeds a service and drives real Chromium (~20 s on the 2-core machine).
  'test/http/console.test.ts',
  'test/cli/rekey.test.ts',
  'test/rules/hot-reload.test.ts',
  'test/http/durability.test.ts',
  'test/cli/backtest.test.ts',
  'test/cli/import.test.ts',
  'test/http/replicas-crash.test.ts',
  'test/http/replicas.test.ts',
  'test/http/replicas-outage.test.ts',
  'test/rules/compiled-evaluator.test.ts',
  'test/store/postgres/exposure-ledger.test.ts',
  'test/http/limits.test.ts',
  'test/decision/replay-proof.test.ts',
  'test/bench/backtest-quarter.test.ts',
  'test/cli/replay.test.ts',
  'test/http/shutdown.test.ts',
  'test/http/fuzz.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = SLOW_FIRST.findIndex((slow) => file.moduleId.endsWith(slow));
      return at < 0 ? SLOW_FIRST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Each file still runs in a worker process, but the two workers keep their loaded modules from
    // file to file: isolated, every file imported the whole service afresh (106 s of a 256 s run
    // on CI, 1 s a file); shared, 11 s, and the suite took 191 s. Tests create their services,
    // stores and registries themselves and restore what they fake (timers), so nothing carries over.
    isolate: false,
    // Vitest's default is one worker per core less one: a single worker on a 2-core CI machine,
    // so every test waiting on a child process, a timer or a socket held the whole suite (185 s).
    // Two workers overlap those waits (127 s); the tests assert behaviour, not speed, and pass
    // under two busy loops besides (npm run test:stress).
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
    globalSetup: ['test/support/global-setup.ts'],
    env: { ONNXRUNTIME_NODE_INSTALL: 'skip' },
  },
});

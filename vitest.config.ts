import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on a 2-core CI machine,
    // so every test waiting on a child process, a timer or a socket held the whole suite (185 s).
    // Two workers overlap those waits (127 s); the tests assert behaviour, not speed, and pass
    // under two busy loops besides (npm run test:stress).
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    env: { ONNXRUNTIME_NODE_INSTALL: 'skip' },
  },
});

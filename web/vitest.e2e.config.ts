// The end-to-end suite: playwright-core drives /usr/bin/chromium against the real
// postamt binary (POSTAMT_BIN) that each test file starts itself. One file at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});

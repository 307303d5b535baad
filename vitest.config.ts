import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/architecture/fixtures/**', 'node_modules/**'],
    setupFiles: ['test/support/setup.ts'],
    // PGlite instances take seconds to start and ~0.6 GB each: keep two files at a time.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/stack runs against a running `npm run stack` (vitest.stack.config.ts).
    exclude: ['test/architecture/fixtures/**', 'test/stack/**', 'node_modules/**'],
    setupFiles: ['test/support/setup.ts'],
    // PGlite instances take seconds to start and ~0.6 GB each: keep two files at a time.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Generous: a loaded 2-core machine has taken over a minute to start and migrate a PGlite.
    hookTimeout: 120_000,
  },
});

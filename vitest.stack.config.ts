import { defineConfig } from 'vitest/config';

/**
 * `npm run test:stack`: checks against the production shape (`npm run stack`), whose
 * endpoints come from STACK_ENDPOINTS (and STACK_RATE_LIMITED_ENDPOINTS for the stack
 * started with a small RATE_LIMIT_PER_MINUTE), plus the nginx configuration tests with
 * nginx required. `.ci/stack-checks.sh` starts the stacks and sets these. Plain
 * `npm test` leaves test/stack out.
 */
export default defineConfig({
  test: {
    include: ['test/stack/**/*.test.ts', 'test/deploy/**/*.test.ts'],
    env: { REQUIRE_NGINX: '1' },
    // The stack tests share one machine's replicas: one file at a time keeps their load
    // (and that of the stacks some of them start) from crowding each other out on 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});

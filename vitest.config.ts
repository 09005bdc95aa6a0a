import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['./tests/setup.ts'],
    // Test files in a worker share one warm TypeScript project service.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

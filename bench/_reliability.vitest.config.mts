import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The reliability bench's vitest run: the node project's setup plus the fast-check input counter. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    environment: 'node',
    globals: true,
    setupFiles: ['./vitest.setup.node.ts', './bench/_reliabilityInputs.ts'],
    include: ['plugins/*/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

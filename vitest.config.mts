import { defineConfig } from 'vitest/config';

/**
 * One vitest run for the whole repository: a node project for backend,
 * node-library and common packages, and a jsdom project for frontend code.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          globals: true,
          setupFiles: ['./vitest.setup.node.ts'],
          include: [
            'plugins/*/src/**/*.test.ts',
            'packages/backend/src/**/*.test.ts',
            'packages/cloud-emulators/src/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['plugins/machine-identity/**', '**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          globals: true,
          setupFiles: ['./vitest.setup.jsdom.ts'],
          include: [
            'plugins/machine-identity/src/**/*.test.{ts,tsx}',
            'packages/app/src/**/*.test.{ts,tsx}',
            'packages/app-next/src/**/*.test.{ts,tsx}',
          ],
          server: { deps: { inline: ['material-ui-popup-state'] } },
          testTimeout: 30_000,
        },
      },
    ],
  },
});

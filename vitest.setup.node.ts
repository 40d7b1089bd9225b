import { vi } from 'vitest';

// @backstage/backend-test-utils expects a global `jest` for its mocks.
(globalThis as any).jest = vi;

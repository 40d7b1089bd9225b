import '@testing-library/jest-dom/vitest';
import { configure } from '@testing-library/react';
import { vi } from 'vitest';

(globalThis as any).jest = vi;

// CI machines have 2 cores shared by the whole suite: give findBy*/waitFor more than the default 1 s.
configure({ asyncUtilTimeout: 5000 });

import '@testing-library/jest-dom/vitest';
import { vi } from 'vitest';

(globalThis as any).jest = vi;

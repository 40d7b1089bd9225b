/**
 * Test helpers for scanner module authors (`@keyring/plugin-machine-identity-node/testUtils`).
 *
 * @packageDocumentation
 */
export { startStalledListener } from './stalledListener';
export type { StalledListener } from './stalledListener';
export { runScanner } from './runScanner';
export type { ScanOutcome } from './runScanner';

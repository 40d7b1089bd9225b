/**
 * Test helpers for module authors, scanners and policy rules alike (`@keyring/plugin-machine-identity-node/testUtils`).
 *
 * @packageDocumentation
 */
export { startStalledListener } from './stalledListener';
export type { StalledListener } from './stalledListener';
export { runScanner } from './runScanner';
export type { ScanOutcome } from './runScanner';
export { evaluatePolicyRules } from './evaluatePolicyRules';
export {
  POLICY_TEST_NOW,
  daysFromNow,
  makePolicyContext,
  makeTestCertificate,
  makeTestIdentity,
} from './policyFixtures';
export { until } from './until';
export { capturingRootLogger, capturingRootLoggerFactory } from './capturingRootLogger';
export { startMachineIdentityTestBackend } from './startMachineIdentityTestBackend';
export type { MachineIdentityTestBackend, MachineIdentityTestBackendOptions } from './startMachineIdentityTestBackend';

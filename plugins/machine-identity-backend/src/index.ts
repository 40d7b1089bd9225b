/**
 * Keyring's backend plugin: machine identity inventory, scans, ownership,
 * policies and REST API.
 *
 * @packageDocumentation
 */
export { machineIdentityPlugin as default } from './plugin';
export type { PolicyEngine, PolicyContext, RuleResult, PolicyRuleDescription } from './policy/types';
export {
  createMachineIdentityConditionalDecision,
  machineIdentityConditions,
  machineIdentityPermissionRules,
  machineIdentityResourceRef,
} from './permissions';

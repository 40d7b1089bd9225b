/*
 * The rule contract lives in -node so that modules can ship rules
 * (`machineIdentityPolicyRulesExtensionPoint`); the core's rules import it from here.
 */
export type { PolicyRule, RuleInput } from '@keyring/plugin-machine-identity-node';
export { DAY_MS, formatDays, parseTime } from '@keyring/plugin-machine-identity-node';

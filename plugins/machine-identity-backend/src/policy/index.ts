export * from './types';
export * from './PolicyRule';
export * from './PolicySettings';
export * from './PolicyRuleScope';
export * from './defaultRules';
export * from './DefaultPolicyEngine';
export * from './readPolicyConfig';
export * from './applyWaivers';
export { tlsRules, tlsKeyFamily, curveBits } from './tlsRules';
export { sshRules, canonicalSshKeyType } from './sshRules';
export { tokenRules, isBroadScope } from './tokenRules';
export {
  serviceAccountRules,
  compileNamingPattern,
  serviceAccountName,
} from './serviceAccountRules';
export { anyRules } from './anyRules';

export { IdentityAccess } from './IdentityAccess';
export { registerMachineIdentityPermissions } from './registerMachineIdentityPermissions';
export {
  createMachineIdentityConditionalDecision,
  isOrphanIdentity,
  machineIdentityConditions,
  machineIdentityPermissionRules,
  machineIdentityResourceRef,
} from './rules';

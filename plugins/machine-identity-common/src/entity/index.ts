export * from './constants';
export * from './MachineIdentityEntityV1alpha1';
export * from './machineIdentityEntityName';
export * from './identityToEntity';

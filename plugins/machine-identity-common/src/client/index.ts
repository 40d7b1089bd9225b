export * from './createMachineIdentityApiClient';
export type { components, operations, paths } from '../generated/openapi';

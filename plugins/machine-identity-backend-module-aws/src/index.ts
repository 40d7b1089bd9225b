/**
 * Keyring scanner module: AWS IAM users, access keys, roles and server certificates (planned).
 *
 * @packageDocumentation
 */
export { machineIdentityModuleAws as default } from './module';

/**
 * Keyring scanner module for AWS: IAM users, access keys, roles, SSH public
 * keys and server certificates, Secrets Manager secrets (metadata only) and
 * ACM certificates, plus a revoker for access keys and role policies.
 *
 * @packageDocumentation
 */
export { machineIdentityModuleAws as default } from './module';
export { AwsIamScanner, AWS_IAM_SOURCE_TYPE } from './scanning/AwsIamScanner';
export { AwsCredentialRevoker } from './revoker/AwsCredentialRevoker';
export type { AwsAccountConfig } from './scanning/readAwsAccounts';

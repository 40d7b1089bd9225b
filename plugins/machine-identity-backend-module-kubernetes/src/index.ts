/**
 * Keyring scanner module: certificates and tokens in Kubernetes Secrets,
 * ServiceAccounts with their RBAC grants, cert-manager Certificates and the
 * caBundles of webhooks, APIServices and CRDs.
 *
 * @packageDocumentation
 */
export { machineIdentityModuleKubernetes as default } from './module';
export { KubernetesScanner } from './KubernetesScanner';
export type { KubernetesScannerOptions } from './KubernetesScanner';
export { KubernetesSecretRevoker } from './revoker/KubernetesSecretRevoker';

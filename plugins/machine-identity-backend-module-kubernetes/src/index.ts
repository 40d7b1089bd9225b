/**
 * Keyring scanner module: Kubernetes TLS secrets, service accounts and cert-manager certificates (planned).
 *
 * @packageDocumentation
 */
export { machineIdentityModuleKubernetes as default } from './module';

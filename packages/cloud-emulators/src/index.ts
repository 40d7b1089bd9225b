/**
 * Loopback emulators of cloud APIs that cannot run on these machines.
 * Import them by subpath: `@keyring/cloud-emulators/kubernetes`, `@keyring/cloud-emulators/aws`.
 *
 * @packageDocumentation
 */
export {};

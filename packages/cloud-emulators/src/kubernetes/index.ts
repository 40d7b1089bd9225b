/**
 * A loopback Kubernetes API emulator speaking the apiserver's JSON, for
 * Keyring's tests, demo and benchmarks (driven by `@kubernetes/client-node`).
 */
export { KubernetesEmulator } from './KubernetesEmulator';
export type { EmulatorRequest, FaultRule, KubernetesEmulatorOptions } from './KubernetesEmulator';
export type { KubeObject, VirtualCollection } from './ObjectStore';
export { loadManifests } from './manifests';
export { addSecretFleet } from './secretFleet';
export type { SecretFleetOptions, SecretFleetSummary } from './secretFleet';
export { FleetCertificates } from './FleetCertificates';
export { issueCertificate, pkcs12Store } from './pki';
export type { IssueOptions, TestCertificate, TestKeyType } from './pki';
export { RESOURCE_TYPES } from './resources';
export type { ResourceType } from './resources';
export { createDemoClusterMaterial, demoClusterObjects, demoKubeconfig, prepareDemoCluster, startDemoCluster } from './demoCluster';
export type { DemoClusterMaterial } from './demoCluster';

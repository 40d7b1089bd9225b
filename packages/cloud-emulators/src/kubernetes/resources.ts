/** One API resource the emulator serves. */
export interface ResourceType {
  /** API group; `''` for the core group (`/api/v1`). */
  group: string;
  version: string;
  /** The URL segment, e.g. `secrets`. */
  plural: string;
  kind: string;
  namespaced: boolean;
  /**
   * Whether list items carry `apiVersion` and `kind` (custom resources do;
   * the apiserver leaves them out of built-in types' list items).
   */
  itemsTyped?: boolean;
}

/** The resources the emulator serves (the ones Keyring's Kubernetes scanner reads). */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  { group: 'cert-manager.io', version: 'v1', plural: 'certificates', kind: 'Certificate', namespaced: true, itemsTyped: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false },
  { group: 'apiregistration.k8s.io', version: 'v1', plural: 'apiservices', kind: 'APIService', namespaced: false },
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
];

/** `apiVersion` of a resource's objects (`v1`, `rbac.authorization.k8s.io/v1`). */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The resource type of a manifest's `apiVersion` and `kind`, if the emulator serves it. */
export function resourceTypeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find(t => t.kind === kind && apiVersionOf(t) === apiVersion);
}

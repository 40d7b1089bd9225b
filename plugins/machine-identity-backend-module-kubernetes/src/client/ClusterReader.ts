import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  ApiregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { ListCall, ListPage } from './listPaged';

/** Resources the scanner lists. */
export type ListedResource =
  | 'namespaces'
  | 'secrets'
  | 'serviceaccounts'
  | 'roles'
  | 'rolebindings'
  | 'clusterroles'
  | 'clusterrolebindings'
  | 'certificates'
  | 'validatingwebhookconfigurations'
  | 'mutatingwebhookconfigurations'
  | 'apiservices'
  | 'customresourcedefinitions';

/**
 * The LIST, GET and DELETE calls Keyring makes against one cluster, through
 * `@kubernetes/client-node`'s typed APIs (cert-manager through
 * `CustomObjectsApi`). A namespaced resource is listed across all namespaces,
 * or in one namespace when `namespace` is given.
 */
export class ClusterReader {
  private readonly core: CoreV1Api;
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly admission: AdmissionregistrationV1Api;
  private readonly registration: ApiregistrationV1Api;
  private readonly extensions: ApiextensionsV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    this.registration = kubeConfig.makeApiClient(ApiregistrationV1Api);
    this.extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  }

  /** The LIST call of a resource, in all namespaces or in `namespace`. */
  list(resource: ListedResource, namespace?: string): ListCall<any> {
    const ns = namespace;
    switch (resource) {
      case 'namespaces':
        return args => this.core.listNamespace(args);
      case 'secrets':
        return args => (ns ? this.core.listNamespacedSecret({ ...args, namespace: ns }) : this.core.listSecretForAllNamespaces(args));
      case 'serviceaccounts':
        return args => (ns ? this.core.listNamespacedServiceAccount({ ...args, namespace: ns }) : this.core.listServiceAccountForAllNamespaces(args));
      case 'roles':
        return args => (ns ? this.rbac.listNamespacedRole({ ...args, namespace: ns }) : this.rbac.listRoleForAllNamespaces(args));
      case 'rolebindings':
        return args => (ns ? this.rbac.listNamespacedRoleBinding({ ...args, namespace: ns }) : this.rbac.listRoleBindingForAllNamespaces(args));
      case 'clusterroles':
        return args => this.rbac.listClusterRole(args);
      case 'clusterrolebindings':
        return args => this.rbac.listClusterRoleBinding(args);
      case 'certificates': {
        const target = { group: 'cert-manager.io', version: 'v1', plural: 'certificates' };
        return async args => {
          // Custom objects come back as plain JSON: `metadata.continue`, not the typed `_continue`.
          const list = (ns
            ? await this.custom.listNamespacedCustomObject({ ...target, ...args, namespace: ns })
            : await this.custom.listClusterCustomObject({ ...target, ...args })) as { items?: any[]; metadata?: { continue?: string; resourceVersion?: string } };
          return { items: list.items ?? [], metadata: { _continue: list.metadata?.continue, resourceVersion: list.metadata?.resourceVersion } } satisfies ListPage<any>;
        };
      }
      case 'validatingwebhookconfigurations':
        return args => this.admission.listValidatingWebhookConfiguration(args);
      case 'mutatingwebhookconfigurations':
        return args => this.admission.listMutatingWebhookConfiguration(args);
      case 'apiservices':
        return args => this.registration.listAPIService(args);
      default:
        return args => this.extensions.listCustomResourceDefinition(args);
    }
  }

  /** Reads one namespace (its labels carry ownership). */
  readNamespace(name: string) {
    return this.core.readNamespace({ name });
  }

  /** Reads one Secret. */
  readSecret(namespace: string, name: string) {
    return this.core.readNamespacedSecret({ namespace, name });
  }

  /** Deletes one Secret, refused by the API server (409) unless it still has this UID and resourceVersion. */
  deleteSecret(namespace: string, name: string, preconditions: { uid?: string; resourceVersion?: string }) {
    return this.core.deleteNamespacedSecret({ namespace, name, body: { preconditions } });
  }
}

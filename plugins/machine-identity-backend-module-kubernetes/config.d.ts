import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  machineIdentity?: {
    /**
     * Discovery sources. This module serves the `kubernetes` type; keys of
     * other types are described by their modules.
     */
    sources?: Array<{
      /** `kubernetes`: one cluster's Secrets, ServiceAccounts, RBAC, cert-manager Certificates and caBundles. */
      type: string;
      /**
       * kubernetes: the cluster to scan, given directly. Use either this or
       * `kubeconfig`. The token needs `list` on the resources scanned (a
       * read-only ClusterRole over secrets, serviceaccounts, namespaces, RBAC,
       * cert-manager certificates, webhook configurations, apiservices, CRDs).
       */
      cluster?: {
        /** Cluster name, the first segment of every location (`prod/namespace/Secret/name/key`). */
        name: string;
        /** API server URL, e.g. `https://127.0.0.1:6443`. */
        url: string;
        /**
         * Bearer token of the service account Keyring scans with.
         * @visibility secret
         */
        serviceAccountToken?: string;
        /** The API server's CA certificate: PEM, or base64 of the PEM as in a kubeconfig. */
        caData?: string;
        /** Skip TLS verification of the API server (default false; for tests only). */
        skipTLSVerify?: boolean;
      };
      /** kubernetes: the cluster to scan, from a kubeconfig file. Use either this or `cluster`. */
      kubeconfig?: {
        /** Path of the kubeconfig file. */
        path: string;
        /** Context to use (default: the file's current context); its cluster's name is used in locations. */
        context?: string;
      };
      /**
       * kubernetes: namespaces to scan; empty or absent means every
       * namespace. Cluster-scoped resources (ClusterRoles, bindings,
       * webhooks, APIServices, CRDs) are read either way. A sharded source
       * (`shards`) gives each namespace to one shard by a stable hash of its
       * name; cluster-scoped identities are scanned by shard 0. Only when this
       * is empty does a namespace deleted from the cluster retire what was
       * seen in it (a complete namespace list no longer holding it).
       */
      namespaces?: string[];

      /** Unique kebab-case source id. */
      id: string;
      /** When the source is scanned (a 50,000-Secret cluster takes minutes: allow a generous timeout). */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    }>;
  };
}

import { createHash } from 'node:crypto';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { kubernetesIdOf, kubernetesLinks } from './ownership';
import type { ServiceAccountGrants } from './RbacIndex';
import type { KubeObjectLike } from './validateObject';

/** A ServiceAccount as the client returns it (`V1ServiceAccount`). */
export interface ServiceAccountLike extends KubeObjectLike {
  automountServiceAccountToken?: boolean;
  secrets?: unknown[];
}

/**
 * A discovery of one ServiceAccount, keyed by its UID (a re-created account
 * is a new identity), with what RBAC grants it: `privileged` when a binding
 * gives it `cluster-admin` or wildcard verbs, and its legacy token Secrets
 * as `staticKeys`.
 */
export function serviceAccountDiscovery(
  account: ServiceAccountLike,
  context: { cluster: string; grants: ServiceAccountGrants; tokenSecrets: number; namespaceId?: string },
): MachineIdentityDiscovery {
  const meta = account.metadata!;
  const namespace = meta.namespace!;
  const name = meta.name!;
  const identityKey = meta.uid ? `kubernetes-serviceaccount:${meta.uid}` : `kubernetes-serviceaccount:${context.cluster}/${namespace}/${name}`;
  const { grants, privilegedReason } = context.grants;
  const { links, via } = kubernetesLinks(kubernetesIdOf(meta.labels), context.namespaceId);
  return {
    type: 'service-account',
    fingerprintSha256: createHash('sha256').update(identityKey).digest('hex'),
    displayName: `${namespace}/${name}`,
    attributes: {
      scopes: grants,
      admin: privilegedReason !== undefined,
      privileged: privilegedReason !== undefined,
      privilegedReason,
      staticKeys: context.tokenSecrets,
      extra: {
        cluster: context.cluster,
        namespace,
        name,
        platform: 'kubernetes',
        workloadIdentityPossible: true,
        ...(typeof account.automountServiceAccountToken === 'boolean' ? { automountToken: account.automountServiceAccountToken } : {}),
      },
    },
    location: `${context.cluster}/${namespace}/ServiceAccount/${name}`,
    details: { cluster: context.cluster, namespace, kind: 'ServiceAccount', name, uid: meta.uid, resourceVersion: meta.resourceVersion, ownershipVia: via },
    links,
  };
}

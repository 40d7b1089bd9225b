import { ANNOTATION_KUBERNETES_ID } from '@keyring/plugin-machine-identity-common';
import type { IdentityLinks } from '@keyring/plugin-machine-identity-node';

/** Backstage's own label linking a Kubernetes object to a Component (`backstage.io/kubernetes-id`). */
export const KUBERNETES_ID_LABEL = ANNOTATION_KUBERNETES_ID;

/** The label's value on an object, if it is a non-empty string. */
export function kubernetesIdOf(labels: unknown): string | undefined {
  if (!labels || typeof labels !== 'object') return undefined;
  const value = (labels as Record<string, unknown>)[KUBERNETES_ID_LABEL];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * Links of an object for ownership: its own `backstage.io/kubernetes-id`
 * label, else its namespace's. Matched against the same annotation on
 * Components (what Backstage's Kubernetes plugin does).
 */
export function kubernetesLinks(
  own: string | undefined,
  namespaceId: string | undefined,
): { links?: IdentityLinks; via?: string } {
  if (own) return { links: { kubernetesIds: [own] }, via: `label ${KUBERNETES_ID_LABEL}=${own}` };
  if (namespaceId) return { links: { kubernetesIds: [namespaceId] }, via: `namespace label ${KUBERNETES_ID_LABEL}=${namespaceId}` };
  return {};
}

import { ConflictError } from '@backstage/errors';
import type {
  MachineIdentityRevoker,
  RevocationOutcome,
  RevocationTarget,
  RevokerContext,
} from '@keyring/plugin-machine-identity-node';
import { ClusterReader } from '../client/ClusterReader';
import { apiErrorMessage } from '../client/listPaged';
import { readClusterConnection } from '../client/readClusterConnection';

/** One Secret to delete, as the scan saw it. */
interface SecretPlace {
  sourceId: string;
  cluster: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  reader: ClusterReader;
}

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const codeOf = (error: unknown) => (error as { code?: unknown })?.code;

/**
 * Revokes a Kubernetes credential by deleting the Secret that holds it: a
 * service-account token Secret (the token controller then invalidates the
 * token), a TLS Secret or any Secret a token or leaf certificate was seen in.
 * CA certificates (shared by many Secrets) are not revoked this way, and a
 * certificate cert-manager renews becomes a manual task (delete its
 * Certificate first, or cert-manager issues the Secret again). Every Secret is
 * checked first — it must still have the UID and resourceVersion the scan saw,
 * or nothing is deleted — then deleted with those as preconditions, so a
 * Secret re-created or changed since the scan is never removed.
 */
export class KubernetesSecretRevoker implements MachineIdentityRevoker {
  readonly id = 'kubernetes-secrets';

  private constructor() {}

  /** Creates the revoker. */
  static create(): KubernetesSecretRevoker {
    return new KubernetesSecretRevoker();
  }

  private static observationsOf(target: RevocationTarget) {
    return target.observations.filter(o => o.source?.type === 'kubernetes' && o.details?.kind === 'Secret' && str(o.details?.namespace) && str(o.details?.name));
  }

  canRevoke(target: RevocationTarget): boolean {
    const { type, isCa } = target.identity;
    if (type !== 'api-token' && !(type === 'tls-certificate' && isCa !== true)) return false;
    return KubernetesSecretRevoker.observationsOf(target).length > 0;
  }

  async revoke(target: RevocationTarget, context: RevokerContext): Promise<RevocationOutcome> {
    const certificate = target.identity.extra?.certManagerCertificate;
    if (target.identity.management === 'automated' && typeof certificate === 'string') {
      return {
        outcome: 'manual',
        message: `cert-manager renews this certificate: delete the Certificate ${certificate} (and then its Secret), or cert-manager issues the Secret again`,
        details: { certManagerCertificate: certificate },
      };
    }
    const places = new Map<string, SecretPlace>();
    const readers = new Map<string, ClusterReader>();
    for (const o of KubernetesSecretRevoker.observationsOf(target)) {
      const d = o.details!;
      const connection = readClusterConnection(o.source!.config);
      const reader = readers.get(o.sourceId) ?? new ClusterReader(connection.kubeConfig);
      readers.set(o.sourceId, reader);
      const place = { sourceId: o.sourceId, cluster: connection.clusterName, namespace: String(d.namespace), name: String(d.name), uid: str(d.uid), resourceVersion: str(d.resourceVersion), reader };
      places.set(`${o.sourceId}/${place.namespace}/${place.name}`, place);
    }
    const label = (p: SecretPlace) => `${p.namespace}/${p.name} in cluster ${p.cluster}`;

    // Check every Secret before deleting any: a failure leaves them all untouched.
    const present: SecretPlace[] = [];
    for (const place of places.values()) {
      if (context.signal.aborted) throw new Error('Revocation aborted before any Secret was deleted');
      try {
        const meta = (await place.reader.readSecret(place.namespace, place.name)).metadata;
        if ((place.uid && meta?.uid !== place.uid) || (place.resourceVersion && meta?.resourceVersion !== place.resourceVersion)) {
          throw new ConflictError(`Secret ${label(place)} changed since the scan (uid or resourceVersion differs); re-scan and request again. Nothing was deleted`);
        }
        present.push(place);
      } catch (error) {
        if (codeOf(error) === 404) continue;
        if (error instanceof ConflictError) throw error;
        throw new Error(`Cannot read Secret ${label(place)}: ${apiErrorMessage(error)}. Nothing was deleted`);
      }
    }
    const deleted: string[] = [];
    for (const place of present) {
      try {
        await place.reader.deleteSecret(place.namespace, place.name, { uid: place.uid, resourceVersion: place.resourceVersion });
        deleted.push(label(place));
        context.logger.info(`Deleted Secret ${label(place)} for revocation request ${target.requestId}`);
      } catch (error) {
        if (codeOf(error) === 404) continue;
        const done = deleted.length > 0 ? ` Already deleted: ${deleted.join(', ')}.` : ' Nothing was deleted.';
        throw new Error(`Deleting Secret ${label(place)} failed: ${apiErrorMessage(error)}.${done}`);
      }
    }
    const absent = places.size - deleted.length;
    return {
      outcome: 'executed',
      message:
        deleted.length > 0
          ? `Deleted ${deleted.length === 1 ? 'Secret' : `${deleted.length} Secrets:`} ${deleted.join(', ')}${absent > 0 ? ` (${absent} already gone)` : ''}; a re-scan verifies`
          : `The Secret${places.size === 1 ? ' was' : 's were'} already gone; a re-scan verifies`,
      details: { deleted, alreadyGone: absent },
    };
  }
}

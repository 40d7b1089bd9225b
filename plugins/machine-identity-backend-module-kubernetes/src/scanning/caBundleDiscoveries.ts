import type { MachineIdentityDiscovery, ScanProblem } from '@keyring/plugin-machine-identity-node';
import { certificateDiscovery, readCertificates } from './certificateDiscoveries';
import type { CertificateFactsCache } from './certificateFacts';
import { malformedMetadata, type KubeObjectLike } from './validateObject';

/** Cluster-scoped kinds whose objects carry caBundles. */
export type CaBundleKind = 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration' | 'APIService' | 'CustomResourceDefinition';

/** The caBundles of one object, each with the key that names it in the location. */
function bundlesOf(kind: CaBundleKind, object: any): Array<{ key: string; caBundle: unknown }> {
  switch (kind) {
    case 'APIService':
      return [{ key: 'caBundle', caBundle: object.spec?.caBundle }];
    case 'CustomResourceDefinition':
      return [{ key: 'conversion', caBundle: object.spec?.conversion?.webhook?.clientConfig?.caBundle }];
    default:
      return (Array.isArray(object.webhooks) ? object.webhooks : []).map((w: any, i: number) => ({
        key: typeof w?.name === 'string' && w.name ? w.name : `webhooks[${i}]`,
        caBundle: w?.clientConfig?.caBundle,
      }));
  }
}

/**
 * Certificates in the caBundles of admission webhooks, APIServices and CRD
 * conversion webhooks: the CAs the API server trusts to call them. Location
 * `cluster/-/Kind/name/key` (`-`: cluster-scoped).
 */
export function caBundleDiscoveries(
  kind: CaBundleKind,
  object: KubeObjectLike,
  context: { cluster: string; certificates: CertificateFactsCache },
): { discoveries: MachineIdentityDiscovery[]; problems: ScanProblem[]; malformed: boolean } {
  const bad = malformedMetadata(object, false);
  const base = `${context.cluster}/-/${kind}/${object.metadata?.name ?? ''}`;
  if (bad) return { discoveries: [], problems: [{ location: base, message: `Skipped a malformed ${kind}: ${bad}`, incomplete: false }], malformed: true };
  const discoveries: MachineIdentityDiscovery[] = [];
  const problems: ScanProblem[] = [];
  for (const { key, caBundle } of bundlesOf(kind, object)) {
    if (caBundle === undefined || caBundle === null || caBundle === '') continue;
    const location = `${base}/${key}`;
    // The client keeps `format: byte` fields as base64 text.
    const value = typeof caBundle === 'string' ? Buffer.from(caBundle, 'base64') : Buffer.alloc(0);
    try {
      const certs = readCertificates(value, context.certificates);
      if (certs.length === 0) throw new Error('no certificate in the caBundle');
      for (const [index, cert] of certs.entries()) {
        discoveries.push(
          certificateDiscovery(cert, {
            location: certs.length > 1 ? `${location}#${index}` : location,
            details: { cluster: context.cluster, kind, name: object.metadata!.name, key, index, uid: object.metadata!.uid },
            extra: { cluster: context.cluster, trustedBy: `${kind}/${object.metadata!.name}` },
          }),
        );
      }
    } catch (error) {
      problems.push({ location, message: `Cannot read caBundle: ${(error as Error).message}`, incomplete: false });
    }
  }
  return { discoveries, problems, malformed: false };
}

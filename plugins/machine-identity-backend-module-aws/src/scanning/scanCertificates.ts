import {
  DescribeCertificateCommand,
  GetCertificateCommand,
  KeyAlgorithm,
  ListTagsForCertificateCommand,
  paginateListCertificates,
  type CertificateSummary,
} from '@aws-sdk/client-acm';
import { GetServerCertificateCommand, paginateListServerCertificates } from '@aws-sdk/client-iam';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { mapConcurrent, readAllPages, type AccountScan } from './AccountScan';
import { certificateDiscovery } from './certificateDiscovery';
import { ownerHintFromTags } from './ownerHintFromTags';

const SERVER_CERTS = 'iam/server-certificates';
const ACM = 'acm';
/** ACM statuses that have a certificate body to read. */
const WITH_BODY = new Set(['ISSUED', 'EXPIRED', 'INACTIVE', 'REVOKED']);

/** IAM server certificates (`GetServerCertificate` for the PEM), as `tls-certificate` discoveries. */
export async function* scanServerCertificates(scan: AccountScan, counts: { serverCertificates: number }): AsyncGenerator<MachineIdentityDiscovery> {
  const { iam } = scan.clients;
  const listed = await readAllPages(scan, SERVER_CERTS, scan.location(SERVER_CERTS), 'ListServerCertificates',
    paginateListServerCertificates({ client: iam }, {}), p => p.ServerCertificateMetadataList);
  for (const meta of listed.items) {
    const name = meta.ServerCertificateName ?? '';
    const location = scan.location(SERVER_CERTS, name);
    const got = await scan.call(SERVER_CERTS, location, 'GetServerCertificate', () =>
      iam.send(new GetServerCertificateCommand({ ServerCertificateName: name })),
    );
    const body = got?.ServerCertificate?.CertificateBody;
    if (!body) {
      if (got) scan.missing(SERVER_CERTS, location, `GetServerCertificate ${name}`, 'a CertificateBody');
      continue;
    }
    try {
      yield certificateDiscovery(body, {
        location,
        details: { accountId: scan.account.accountId, serverCertificateName: name, arn: meta.Arn },
        management: 'manual',
        firstSeenEvidence: meta.UploadDate?.toISOString(),
        extra: { awsStore: 'iam-server-certificate', accountId: scan.account.accountId, serverCertificateId: meta.ServerCertificateId ?? '' },
      });
      counts.serverCertificates += 1;
    } catch (error) {
      scan.fail(SERVER_CERTS, location, `Skipped IAM server certificate ${name}: ${(error as Error).message}`);
    }
  }
  scan.coverIfComplete(SERVER_CERTS);
}

/**
 * ACM certificates of the account's region, every key type. Amazon-issued
 * certificates eligible for managed renewal are `management: automated`.
 */
export async function* scanAcmCertificates(scan: AccountScan, counts: { acmCertificates: number }): AsyncGenerator<MachineIdentityDiscovery> {
  const { acm } = scan.clients;
  const listed = await readAllPages(scan, ACM, scan.location(ACM), 'ListCertificates',
    paginateListCertificates({ client: acm, pageSize: 100 }, { Includes: { keyTypes: Object.values(KeyAlgorithm) } }),
    p => p.CertificateSummaryList);
  const found = await mapConcurrent(listed.items, 8, summary => acmDiscovery(scan, summary));
  for (const d of found) {
    if (!d) continue;
    counts.acmCertificates += 1;
    yield d;
  }
  scan.coverIfComplete(ACM);
}

async function acmDiscovery(scan: AccountScan, summary: CertificateSummary): Promise<MachineIdentityDiscovery | undefined> {
  const arn = summary.CertificateArn ?? '';
  const location = scan.location(ACM, arn.slice(arn.lastIndexOf('/') + 1));
  if (!WITH_BODY.has(summary.Status ?? '')) return undefined;
  const { acm } = scan.clients;
  const q = { CertificateArn: arn };
  const [described, got, tags] = await Promise.all([
    scan.call(ACM, location, 'DescribeCertificate', () => acm.send(new DescribeCertificateCommand(q))),
    scan.call(ACM, location, 'GetCertificate', () => acm.send(new GetCertificateCommand(q))),
    scan.call(ACM, location, 'ListTagsForCertificate', () => acm.send(new ListTagsForCertificateCommand(q))),
  ]);
  const cert = described?.Certificate;
  if (described && !cert) scan.missing(ACM, location, `DescribeCertificate ${arn}`, 'a Certificate');
  if (got && !got.Certificate) scan.missing(ACM, location, `GetCertificate ${arn}`, 'a Certificate');
  if (!cert || !got?.Certificate || !tags) return undefined;
  const automated = cert.Type === 'AMAZON_ISSUED' && cert.RenewalEligibility === 'ELIGIBLE';
  try {
    return certificateDiscovery(got.Certificate, {
      location,
      details: { accountId: scan.account.accountId, region: scan.account.region, certificateArn: arn, inUseBy: cert.InUseBy ?? [] },
      management: automated ? 'automated' : 'manual',
      ownerHint: ownerHintFromTags(tags.Tags, `ACM certificate ${arn}`),
      firstSeenEvidence: cert.CreatedAt?.toISOString(),
      extra: {
        awsStore: 'acm',
        accountId: scan.account.accountId,
        acmType: cert.Type ?? 'UNKNOWN',
        acmStatus: cert.Status ?? 'UNKNOWN',
        renewalEligibility: cert.RenewalEligibility ?? 'UNKNOWN',
        inUse: (cert.InUseBy ?? []).length > 0,
      },
    });
  } catch (error) {
    scan.fail(ACM, location, `Skipped ACM certificate ${arn}: ${(error as Error).message}`);
    return undefined;
  }
}

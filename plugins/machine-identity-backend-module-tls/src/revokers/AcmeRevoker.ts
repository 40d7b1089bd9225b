import fs from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import type { Config } from '@backstage/config';
import { isError } from '@backstage/errors';
import type {
  MachineIdentityRevoker,
  RevocationOutcome,
  RevocationTarget,
  RevokerContext,
} from '@keyring/plugin-machine-identity-node';
import * as acme from 'acme-client';
import { trustForDirectory } from './acmeHttps';
import { issuedBy, readAcmeRevocationConfig, type AcmeCaSettings } from './readAcmeRevocationConfig';
import { readSeenCertificate, toPem } from './readSeenCertificate';

/** RFC 5280 CRLReason cessationOfOperation: the certificate is no longer needed (its service is retired). */
const CESSATION_OF_OPERATION = 5;

/** Source types whose places the revoker can read the certificate back from. */
const READABLE_SOURCES = new Set(['tls', 'certificate-files']);

const messageOf = (error: unknown) => (isError(error) ? error.message : String(error));

/**
 * Revokes a TLS certificate at the ACME CA that issued it (RFC 8555 §7.6
 * revokeCert, signed with the ordering account's key, reason
 * cessationOfOperation) when `machineIdentity.revocation.acme` names a CA
 * whose `issuers` match the certificate's issuer. The certificate itself is
 * read again from a place a scan saw it and must have the inventoried
 * fingerprint. Revocation does not remove the certificate from where it is
 * installed: the outcome says so, the identity becomes `revoked`, and the
 * request verifies only once re-scans no longer see it there. Certificates of
 * other issuers stay manual tasks (or go to another revoker).
 */
export class AcmeRevoker implements MachineIdentityRevoker {
  readonly id = 'acme';

  private constructor(private readonly cas: AcmeCaSettings[]) {}

  /** A revoker for the CAs of `machineIdentity.revocation.acme`; `undefined` when none is configured. */
  static fromConfig(config: Config): AcmeRevoker | undefined {
    const cas = readAcmeRevocationConfig(config);
    return cas.length > 0 ? new AcmeRevoker(cas) : undefined;
  }

  private caFor(target: RevocationTarget): AcmeCaSettings | undefined {
    return this.cas.find(ca => issuedBy(ca, target.identity.issuer));
  }

  canRevoke(target: RevocationTarget): boolean {
    const { type, isCa } = target.identity;
    if (type !== 'tls-certificate' || isCa === true) return false;
    if (!target.observations.some(o => READABLE_SOURCES.has(o.source?.type ?? ''))) return false;
    return this.caFor(target) !== undefined;
  }

  async revoke(target: RevocationTarget, context: RevokerContext): Promise<RevocationOutcome> {
    const ca = this.caFor(target);
    if (!ca) throw new Error(`No ACME CA of machineIdentity.revocation.acme issues under "${target.identity.issuer}"`);
    const { found, problems } = await readSeenCertificate(target, context.signal);
    if (!found) {
      throw new Error(
        `Could not read the certificate back from any place it was seen (${problems.join('; ') || 'no readable place'}), ` +
          'so there is nothing to send to the CA. Nothing was revoked',
      );
    }
    let accountKey: Buffer;
    try {
      accountKey = await fs.readFile(ca.accountKeyFile);
    } catch (error) {
      throw new Error(`Cannot read the ACME account key of ${ca.id} (${ca.accountKeyFile}): ${messageOf(error)}. Nothing was revoked`);
    }
    let caBundle: string | undefined;
    if (ca.caBundleFile) {
      try {
        caBundle = await fs.readFile(ca.caBundleFile, 'utf8');
      } catch (error) {
        throw new Error(`Cannot read the CA bundle of ${ca.id} (${ca.caBundleFile}): ${messageOf(error)}. Nothing was revoked`);
      }
    }
    trustForDirectory(ca.directoryUrl, caBundle);
    const serialNumber = new X509Certificate(found.der).serialNumber.toLowerCase();
    const client = new acme.Client({ directoryUrl: ca.directoryUrl, accountKey });
    let alreadyRevoked = false;
    try {
      await client.createAccount({ onlyReturnExisting: true });
      await client.revokeCertificate(toPem(found.der), { reason: CESSATION_OF_OPERATION });
    } catch (error) {
      // RFC 8555 §6.7 alreadyRevoked; acme-client keeps only the problem's detail.
      if (!/already (been )?revoked/i.test(messageOf(error))) {
        throw new Error(`ACME CA ${ca.id} refused the revocation of serial ${serialNumber}: ${messageOf(error)}. Nothing was revoked`);
      }
      alreadyRevoked = true;
    }
    context.logger.info(
      `${alreadyRevoked ? 'Found already revoked' : 'Revoked'} certificate serial ${serialNumber} at ACME CA ${ca.id} for revocation request ${target.requestId}`,
    );
    const installed = [...new Set(target.observations.map(o => o.location))];
    return {
      outcome: 'executed',
      message:
        `${alreadyRevoked ? 'Already revoked' : 'Revoked'} at ACME CA ${ca.id} (serial ${serialNumber}, reason cessationOfOperation). ` +
        `Revocation does not remove it: replace or remove it at ${installed.join(', ')}; the request verifies when a re-scan no longer sees it there`,
      details: { ca: ca.id, directoryUrl: ca.directoryUrl, serialNumber, alreadyRevoked, readFrom: found.location },
    };
  }
}

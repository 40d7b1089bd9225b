import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ContentInfo, id_data, id_signedData } from '@peculiar/asn1-cms';
import { PFX } from '@peculiar/asn1-pfx';
import { InputError } from '@backstage/errors';
import { RawSignedData } from './signedDataSchema';
import { readPkcs12Certificates } from './readPkcs12Certificates';

/** One certificate found in a file, still DER-encoded. */
export interface CertificateBlock {
  /** Position among the certificates of the file (0-based). */
  index: number;
  der: Buffer;
  /** How it was stored: a PEM label, `DER`, `PKCS7` or `PKCS12`. */
  container: string;
}

/** Certificates found in one file, and the non-certificate blocks skipped. */
export interface CertificateFileContents {
  format: 'PEM' | 'DER' | 'PKCS7' | 'PKCS12' | 'unknown';
  certificates: CertificateBlock[];
  /** Labels of PEM blocks that hold no certificate (keys, CRLs…); their contents are never kept. */
  skippedLabels: string[];
}

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/g;

function signedDataContent(der: Buffer): ArrayBuffer | undefined {
  try {
    const info = AsnConvert.parse(der, ContentInfo);
    return info.contentType === id_signedData ? info.content : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an encoded CertificateChoices element is a plain certificate (a SEQUENCE, not a tagged alternative). */
function isCertificateChoice(encoded: ArrayBuffer): boolean {
  const { idBlock } = asn1js.fromBER(encoded).result;
  return idBlock.tagClass === 1 && idBlock.tagNumber === 16;
}

/**
 * Certificates of a DER PKCS#7 / CMS SignedData bundle (`.p7b`), decoded with
 * @peculiar/asn1-cms and kept as their original bytes.
 */
export function readPkcs7Certificates(der: Buffer): Buffer[] {
  const content = signedDataContent(der);
  if (!content) throw new InputError('not a PKCS#7 SignedData bundle');
  let signedData: RawSignedData;
  try {
    signedData = AsnConvert.parse(content, RawSignedData);
  } catch (e) {
    throw new InputError(`PKCS#7 bundle could not be read: ${(e as Error).message}`);
  }
  return (signedData.certificates ?? []).filter(isCertificateChoice).map(c => Buffer.from(c));
}

function looksLikePkcs7(der: Buffer): boolean {
  return signedDataContent(der) !== undefined;
}

function looksLikePkcs12(der: Buffer): boolean {
  try {
    const pfx = AsnConvert.parse(der, PFX);
    return [id_data, id_signedData].includes(pfx.authSafe.contentType);
  } catch {
    return false;
  }
}

/** The first DER element of `data` (asn1js finds where it ends), or undefined if none decodes. */
function firstElement(data: Buffer): Buffer | undefined {
  const { offset, result } = asn1js.fromBER(data);
  return offset > 0 && !result.error ? data.subarray(0, offset) : undefined;
}

/**
 * Finds the certificates in a file: PEM (any number of blocks, `PKCS7` blocks
 * included), a DER certificate, a DER PKCS#7 bundle or a PKCS#12 store.
 * Private keys and other non-certificate blocks are skipped unread.
 */
export function readCertificateBlocks(data: Buffer, options: { pkcs12Password?: string } = {}): CertificateFileContents {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN ')) {
    const certificates: CertificateBlock[] = [];
    const skippedLabels: string[] = [];
    for (const match of text.matchAll(PEM_BLOCK)) {
      const label = match[1];
      if (CERTIFICATE_LABELS.has(label)) {
        const der = Buffer.from(match[2].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
        certificates.push({ index: certificates.length, der, container: label });
      } else if (PKCS7_LABELS.has(label)) {
        const bundle = Buffer.from(match[2].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
        for (const der of readPkcs7Certificates(bundle)) {
          certificates.push({ index: certificates.length, der, container: 'PKCS7' });
        }
      } else {
        skippedLabels.push(label);
      }
    }
    return { format: 'PEM', certificates, skippedLabels };
  }
  if (data.length > 0 && data[0] === 0x30) {
    if (looksLikePkcs7(data)) {
      return {
        format: 'PKCS7',
        certificates: readPkcs7Certificates(data).map((der, index) => ({ index, der, container: 'PKCS7' })),
        skippedLabels: [],
      };
    }
    if (looksLikePkcs12(data)) {
      return {
        format: 'PKCS12',
        certificates: readPkcs12Certificates(data, options.pkcs12Password).map((der, index) => ({
          index,
          der,
          container: 'PKCS12',
        })),
        skippedLabels: [],
      };
    }
    // A DER file holds one certificate; trailing bytes (some tools append data) are not part of it.
    // If nothing decodes, leave it whole: the certificate parser reports what is wrong with it.
    const der = Buffer.from(firstElement(data) ?? data);
    return { format: 'DER', certificates: [{ index: 0, der, container: 'DER' }], skippedLabels: [] };
  }
  return { format: 'unknown', certificates: [], skippedLabels: [] };
}

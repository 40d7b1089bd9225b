import forge from 'node-forge';
import { InputError } from '@backstage/errors';
import { derChildren, derEncoding, derOid, readDer } from '../parsing/der';

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
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_PKCS7_DATA = '1.2.840.113549.1.7.1';

/** Certificates of a DER PKCS#7 / CMS SignedData bundle (`.p7b`), read without decoding them. */
export function readPkcs7Certificates(der: Buffer): Buffer[] {
  const contentInfo = readDer(der);
  const [oid, explicit] = derChildren(contentInfo);
  if (!oid || oid.tag !== 6 || derOid(oid) !== OID_SIGNED_DATA || !explicit) {
    throw new InputError('not a PKCS#7 SignedData bundle');
  }
  const [signedData] = derChildren(explicit);
  const certSet = derChildren(signedData).find(n => n.cls === 2 && n.tag === 0);
  if (!certSet) return [];
  return derChildren(certSet)
    .filter(n => n.cls === 0 && n.tag === 16)
    .map(n => Buffer.from(derEncoding(n)));
}

function looksLikePkcs7(der: Buffer): boolean {
  try {
    const [oid] = derChildren(readDer(der));
    return oid?.tag === 6 && derOid(oid) === OID_SIGNED_DATA;
  } catch {
    return false;
  }
}

function looksLikePkcs12(der: Buffer): boolean {
  try {
    const [version, authSafe] = derChildren(readDer(der));
    if (!version || version.tag !== 2 || !authSafe) return false;
    const [oid] = derChildren(authSafe);
    return oid?.tag === 6 && [OID_PKCS7_DATA, OID_SIGNED_DATA].includes(derOid(oid));
  } catch {
    return false;
  }
}

/**
 * Certificates of a PKCS#12 store. node-forge unpacks the container; key bags
 * are never read out, and certificates come from the bag's ASN.1 so EC and
 * Ed25519 certificates (which forge cannot model) are kept too.
 */
export function readPkcs12Certificates(der: Buffer, password: string | undefined): Buffer[] {
  let p12: forge.pkcs12.Pkcs12Pfx;
  // forge re-models certificates it can parse and re-encodes them on output,
  // which may not reproduce the original bytes (and fails for EC keys). Making
  // its certificate decoder refuse keeps every certBag as the original ASN.1.
  const pki = forge.pki as { certificateFromAsn1: unknown };
  const original = pki.certificateFromAsn1;
  pki.certificateFromAsn1 = () => {
    throw new Error('raw certificate kept');
  };
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    throw new InputError(
      /mac|password|decrypt|invalid/i.test(message)
        ? 'PKCS#12 store could not be opened: wrong or missing pkcs12Password'
        : `PKCS#12 store could not be read: ${message}`,
    );
  } finally {
    pki.certificateFromAsn1 = original;
  }
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag!] ?? [];
  const out: Buffer[] = [];
  for (const bag of bags) {
    if (bag.asn1) {
      out.push(Buffer.from(forge.asn1.toDer(bag.asn1).getBytes(), 'binary'));
    }
  }
  return out;
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
    let der = data;
    try {
      der = Buffer.from(derEncoding(readDer(data)));
    } catch {
      // Leave it whole: the certificate parser reports what is wrong with it.
    }
    return { format: 'DER', certificates: [{ index: 0, der, container: 'DER' }], skippedLabels: [] };
  }
  return { format: 'unknown', certificates: [], skippedLabels: [] };
}

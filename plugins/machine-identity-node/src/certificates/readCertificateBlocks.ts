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
const PEM_LABEL = /^[A-Z0-9 #]{1,64}$/;
const BEGIN = '-----BEGIN ';
const END = '-----END ';

/**
 * The PEM blocks of `text`, in one pass: every search moves forward, so the
 * time is linear in the input whatever it holds (a regular expression with a
 * lazy body is quadratic on many unterminated BEGIN lines). A BEGIN line
 * whose END line does not come before the next BEGIN line is skipped, as is a
 * block whose END label differs.
 */
export function* pemBlocks(text: string): Generator<{ label: string; body: string }> {
  let cursor = 0;
  let nextEnd = -1;
  while (true) {
    const begin = text.indexOf(BEGIN, cursor);
    if (begin < 0) return;
    const labelEnd = text.indexOf('-----', begin + BEGIN.length);
    if (labelEnd < 0) return;
    const label = text.slice(begin + BEGIN.length, labelEnd);
    const bodyStart = labelEnd + 5;
    if (!PEM_LABEL.test(label)) {
      cursor = begin + BEGIN.length;
      continue;
    }
    if (nextEnd < bodyStart) nextEnd = text.indexOf(END, bodyStart);
    if (nextEnd < 0) return;
    const nextBegin = text.indexOf(BEGIN, bodyStart);
    if (nextBegin >= 0 && nextBegin < nextEnd) {
      cursor = nextBegin;
      continue;
    }
    const endLabelEnd = text.indexOf('-----', nextEnd + END.length);
    if (endLabelEnd < 0) return;
    if (text.slice(nextEnd + END.length, endLabelEnd) === label) yield { label, body: text.slice(bodyStart, nextEnd) };
    cursor = endLabelEnd + 5;
  }
}

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
  try {
    const signedData = AsnConvert.parse(content, RawSignedData);
    return (signedData.certificates ?? []).filter(isCertificateChoice).map(c => Buffer.from(c));
  } catch (e) {
    throw new InputError(`PKCS#7 bundle could not be read: ${(e as Error).message}`);
  }
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
  try {
    const { offset, result } = asn1js.fromBER(data);
    return offset > 0 && !result.error ? data.subarray(0, offset) : undefined;
  } catch {
    return undefined;
  }
}

const BASE64_TEXT = /^[A-Za-z0-9+/=\s]*$/;

function decodeBase64(body: string): Buffer {
  // Node's decoder skips whitespace; anything else (PEM headers) is stripped first.
  return Buffer.from(BASE64_TEXT.test(body) ? body : body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
}

function addPemBlock(contents: CertificateFileContents, { label, body }: { label: string; body: string }): void {
  const { certificates } = contents;
  if (CERTIFICATE_LABELS.has(label)) {
    certificates.push({ index: certificates.length, der: decodeBase64(body), container: label });
  } else if (PKCS7_LABELS.has(label)) {
    for (const der of readPkcs7Certificates(decodeBase64(body))) {
      certificates.push({ index: certificates.length, der, container: 'PKCS7' });
    }
  } else {
    contents.skippedLabels.push(label);
  }
}

/**
 * {@link readCertificateBlocks} for large inputs on a server: the same result,
 * letting the event loop turn every 20 ms while PEM blocks are decoded.
 */
export async function readCertificateBlocksYielding(
  data: Buffer,
  options: { pkcs12Password?: string } = {},
): Promise<CertificateFileContents> {
  const text = data.toString('latin1');
  if (!text.includes(BEGIN)) return readCertificateBlocks(data, options);
  const contents: CertificateFileContents = { format: 'PEM', certificates: [], skippedLabels: [] };
  let since = Date.now();
  for (const block of pemBlocks(text)) {
    addPemBlock(contents, block);
    if (Date.now() - since >= 20) {
      await new Promise(resolve => setImmediate(resolve));
      since = Date.now();
    }
  }
  return contents;
}

/**
 * Finds the certificates in a file: PEM (any number of blocks, `PKCS7` blocks
 * included), a DER certificate, a DER PKCS#7 bundle or a PKCS#12 store.
 * Private keys and other non-certificate blocks are skipped unread.
 */
export function readCertificateBlocks(data: Buffer, options: { pkcs12Password?: string } = {}): CertificateFileContents {
  const text = data.toString('latin1');
  if (text.includes(BEGIN)) {
    const contents: CertificateFileContents = { format: 'PEM', certificates: [], skippedLabels: [] };
    for (const block of pemBlocks(text)) addPemBlock(contents, block);
    return contents;
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

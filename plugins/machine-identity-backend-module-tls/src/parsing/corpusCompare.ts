import fs from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { readCertificateBlocks } from '@keyring/plugin-machine-identity-node';
import { parseCertificate, ParsedCertificate } from '@keyring/plugin-machine-identity-node';
import { KEY_ALGORITHMS } from '@keyring/plugin-machine-identity-node';
import { AsnConvert } from '@peculiar/asn1-schema';
import { RawCertificate } from '@keyring/plugin-machine-identity-node';

/** One record of `ground-truth-x509.jsonl`. */
export interface GroundTruthRecord {
  file: string;
  index: number | null;
  parseable: boolean;
  format: string;
  sha256?: string;
  subject?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  sans?: string[];
  keyType?: string;
  bits?: number | null;
  serial?: string;
  sigAlg?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sep  1 00:00:00 2021 GMT` → ISO-8601. */
export function opensslDateToIso(text: string): string | undefined {
  if (text.trim() === 'Bad time value') return undefined;
  const m = text.trim().match(/^(\w{3})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? (\d{1,4}) GMT$/);
  if (!m) return `unparsed:${text}`;
  const month = String(MONTHS.indexOf(m[1]) + 1).padStart(2, '0');
  const ms = m[6] ? m[6].slice(1).padEnd(3, '0').slice(0, 3) : '000';
  return `${m[7].padStart(4, '0')}-${month}-${m[2].padStart(2, '0')}T${m[3]}:${m[4]}:${m[5]}.${ms}Z`;
}

/** OpenSSL serial (`3 (0x3)`, `5b:9b:…`, negative forms) → lower-case hex without leading zeros. */
export function opensslSerialToHex(text: string): string {
  const t = text.trim();
  const small = t.match(/^(-?)\d+ \(-?0x([0-9a-f]+)\)$/i);
  const negative = small ? small[1] === '-' : t.startsWith('(Negative)');
  const hex = small ? small[2] : t.replace(/^\(Negative\)/, '').replace(/:/g, '');
  return `${negative ? '-' : ''}${hex.toLowerCase().replace(/^0+(?=.)/, '')}`;
}

/**
 * OpenSSL escapes every byte ≥ 0x80 of a name as `\XX`; Keyring keeps the
 * Unicode text. Decodes runs of such escapes as UTF-8 so the two compare.
 */
export function decodeOpensslNameEscapes(text: string): string {
  return text.replace(/(?:\\[89A-F][0-9A-F])+/g, run => {
    const bytes = Buffer.from(run.replace(/\\/g, ''), 'hex');
    return bytes.toString('utf8');
  });
}

const SAN_TYPES = /^(DNS|IP Address|email|URI|DirName|othername|Registered ID|EdiPartyName|X400Name):/;

function normaliseSan(input: string): string {
  // The ground truth trims each item ("DNS: " became "DNS:").
  const san = input.trim();
  if (san.startsWith('IP Address:')) {
    const ip = san.slice('IP Address:'.length);
    return ipaddr.isValid(ip) ? `IP Address:${ipaddr.parse(ip).toNormalizedString()}` : san;
  }
  if (san.startsWith('othername:')) {
    const m = san.match(/^othername:\s*([^:]+?)(::|$)/);
    return m ? `othername:${m[1]}` : san;
  }
  return san;
}

/** Field-by-field comparison outcome over the whole corpus. */
export interface CorpusComparison {
  records: number;
  certificatesCompared: number;
  fieldsCompared: number;
  /** Records openssl could not parse, and whether Keyring refused them too. */
  unparseableAgreed: number;
  /** Rule name → count of documented, explained differences. */
  explained: Record<string, number>;
  /** Unexplained mismatches (must be empty). */
  mismatches: string[];
  /** Files that threw something other than a clean parse error. */
  crashes: string[];
}

/** Compares what Keyring reads from every corpus certificate with the openssl ground truth. */
export function compareCorpus(corpusDir: string): CorpusComparison {
  const lines = fs.readFileSync(path.join(corpusDir, 'ground-truth-x509.jsonl'), 'utf8').split('\n').filter(Boolean);
  const records = lines.map(l => JSON.parse(l) as GroundTruthRecord);
  const result: CorpusComparison = {
    records: records.length,
    certificatesCompared: 0,
    fieldsCompared: 0,
    unparseableAgreed: 0,
    explained: {},
    mismatches: [],
    crashes: [],
  };
  const explain = (rule: string) => {
    result.explained[rule] = (result.explained[rule] ?? 0) + 1;
  };
  const fileCache = new Map<string, ReturnType<typeof readCertificateBlocks> | Error>();
  for (const record of records) {
    let contents = fileCache.get(record.file);
    if (!contents) {
      try {
        contents = readCertificateBlocks(fs.readFileSync(path.join(corpusDir, record.file)));
      } catch (e) {
        contents = e as Error;
      }
      fileCache.set(record.file, contents);
    }
    const where = `${record.file}#${record.index}`;
    if (record.index === null) {
      // openssl found no certificate; Keyring must find none either (or only ones it refuses).
      if (contents instanceof Error) {
        explain('no certificate: file refused cleanly');
        continue;
      }
      let accepted = 0;
      for (const block of contents.certificates) {
        try {
          parseCertificate(block.der);
          accepted++;
        } catch {
          // refused cleanly
        }
      }
      if (accepted > 0) result.mismatches.push(`${where}: openssl found no certificate, Keyring parsed ${accepted}`);
      continue;
    }
    if (contents instanceof Error) {
      if (!record.parseable) {
        result.unparseableAgreed++;
        continue;
      }
      result.mismatches.push(`${where}: file refused: ${contents.message}`);
      continue;
    }
    const block = contents.certificates[record.index];
    let parsed: ParsedCertificate | undefined;
    let error: Error | undefined;
    try {
      if (!block) throw new Error('no such certificate block');
      parsed = parseCertificate(block.der);
    } catch (e) {
      error = e as Error;
      if (!(e instanceof Error) || !/certificate|DER|block/i.test(e.message)) {
        result.crashes.push(`${where}: ${String(e)}`);
      }
    }
    if (!record.parseable) {
      if (!parsed) result.unparseableAgreed++;
      else if (hasEmptyRdn(parsed.der)) explain('empty RDN SET: openssl x509 refuses it, Node parses it');
      else result.mismatches.push(`${where}: openssl refused it, Keyring parsed it`);
      continue;
    }
    if (!parsed) {
      result.mismatches.push(`${where}: openssl parsed it, Keyring refused: ${error?.message}`);
      continue;
    }
    result.certificatesCompared++;
    const check = (field: string, expected: unknown, actual: unknown) => {
      result.fieldsCompared++;
      if (JSON.stringify(expected ?? null) !== JSON.stringify(actual ?? null)) {
        result.mismatches.push(`${where} ${field}: openssl ${JSON.stringify(expected)} keyring ${JSON.stringify(actual)}`);
      }
    };
    check('sha256', record.sha256!.replace(/:/g, '').toLowerCase(), parsed.fingerprintSha256);
    check('subject', decodeOpensslNameEscapes(record.subject ?? '').trim(), parsed.subject.trim());
    check('issuer', decodeOpensslNameEscapes(record.issuer ?? '').trim(), parsed.issuer.trim());
    check('notBefore', opensslDateToIso(record.notBefore!), parsed.notBefore);
    check('notAfter', opensslDateToIso(record.notAfter!), parsed.notAfter);
    check('serial', opensslSerialToHex(record.serial!), parsed.serialNumber);
    check('keyType', record.keyType, keyTypeAsOpenssl(parsed));
    if (record.bits !== null && record.bits !== undefined) check('bits', record.bits, parsed.keySize);
    else explain('bits: openssl prints no size for this key type');
    if (!parsed.decoded && parsed.signatureAlgorithm === undefined) {
      // Node 20 does not expose the signature algorithm, and asn1-schema refused this certificate.
      explain('sigAlg: asn1-schema refuses the certificate and Node 20 has no signature algorithm');
    } else {
      check('sigAlg', record.sigAlg, parsed.signatureAlgorithm);
    }
    const truthSans = record.sans ?? [];
    if (truthSans.some(s => !SAN_TYPES.test(s))) {
      // openssl could not decode the extension and printed a dump or `<EMPTY>`
      // instead of a list: there is no SAN list to compare with.
      explain('sans: openssl printed no decodable SAN list');
    } else {
      check('sans', truthSans.map(normaliseSan), parsed.sans.map(normaliseSan));
    }
  }
  return result;
}

function keyTypeAsOpenssl(parsed: ParsedCertificate): string {
  return OPENSSL_KEY_NAMES[parsed.keyAlgorithmOid] ?? parsed.keyAlgorithmOid;
}

const OPENSSL_KEY_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(KEY_ALGORITHMS).map(([oid, k]) => [oid, k.openssl]),
);

/** Whether a certificate's issuer or subject holds an RDN with no attribute. */
function hasEmptyRdn(der: Buffer): boolean {
  const { tbsCertificate } = AsnConvert.parse(der, RawCertificate);
  return [tbsCertificate.issuer, tbsCertificate.subject].some(name => name.some(rdn => rdn.length === 0));
}

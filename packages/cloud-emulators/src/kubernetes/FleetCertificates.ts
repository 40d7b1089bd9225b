import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { issueCertificate, type TestCertificate } from './pki';

/** Placeholder common name of the template; a generated name has the same length. */
const PLACEHOLDER = 'c0000000.fleet.example.test';
/** Placeholder serial (16 bytes, first byte below 0x80 so it stays positive). */
const SERIAL_HEX = '1fffeeeeddddccccbbbbaaaa99998888';
const DAY_MS = 86_400_000;

/** Header length and content length of the DER element at `offset`. */
function derHeader(der: Buffer, offset: number): { header: number; length: number } {
  const first = der[offset + 1];
  if (first < 0x80) return { header: 2, length: first };
  const bytes = first & 0x7f;
  let length = 0;
  for (let i = 0; i < bytes; i++) length = length * 256 + der[offset + 2 + i];
  return { header: 2 + bytes, length };
}

function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*$/, '$1$2$3$4$5$6Z');
}

/**
 * Makes many distinct, correctly signed X.509 certificates cheaply, for
 * emulated fleets of tens of thousands of Secrets. One template leaf (an RSA
 * 2048 key, signed by an Ed25519 fleet CA) is made with `openssl`; each
 * certificate is that template with its own common name / SAN, serial and
 * validity patched in place (same lengths) and the TBS re-signed with the CA's
 * Ed25519 key (~30 µs). All leaves share one public key: a benchmark fleet,
 * not a model of key reuse.
 */
export class FleetCertificates {
  private constructor(
    readonly ca: TestCertificate,
    readonly leafKeyPem: string,
    private readonly caKey: KeyObject,
    private readonly tbs: Buffer,
    private readonly prefix: Buffer,
    private readonly suffix: Buffer,
    private readonly offsets: { names: number[]; serial: number; notBefore: number; notAfter: number },
  ) {}

  private static instance: FleetCertificates | undefined;

  /** The process-wide factory (the template is made once). */
  static get(): FleetCertificates {
    FleetCertificates.instance ??= FleetCertificates.create();
    return FleetCertificates.instance;
  }

  private static create(): FleetCertificates {
    const ca = issueCertificate({ commonName: 'Keyring Emulator Fleet CA', key: 'ed25519', ca: true, days: 3650 });
    const leaf = issueCertificate(
      { commonName: PLACEHOLDER, dnsNames: [PLACEHOLDER], key: 'rsa-2048', days: 90, serialHex: SERIAL_HEX },
      ca,
    );
    const der = leaf.der;
    const outer = derHeader(der, 0);
    const tbsStart = outer.header;
    const tbsHeader = derHeader(der, tbsStart);
    const tbs = Buffer.from(der.subarray(tbsStart, tbsStart + tbsHeader.header + tbsHeader.length));
    const rest = der.subarray(tbsStart + tbs.length);
    // rest = AlgorithmIdentifier (Ed25519) + BIT STRING (0x03 0x41 0x00 + 64-byte signature).
    const signatureAt = rest.length - 64;
    const names: number[] = [];
    const placeholder = Buffer.from(PLACEHOLDER);
    for (let at = tbs.indexOf(placeholder); at >= 0; at = tbs.indexOf(placeholder, at + 1)) names.push(at);
    const serial = tbs.indexOf(Buffer.from(SERIAL_HEX, 'hex'));
    // Validity: two UTCTime elements (tag 0x17, 13 bytes) after the issuer name.
    const times: number[] = [];
    for (let at = tbs.indexOf(0x17); at >= 0 && times.length < 2; at = tbs.indexOf(0x17, at + 1)) {
      if (tbs[at + 1] === 13 && /^\d{12}Z$/.test(tbs.toString('latin1', at + 2, at + 15))) times.push(at + 2);
    }
    if (names.length < 2 || serial < 0 || times.length < 2) {
      throw new Error('fleet certificate template has an unexpected layout');
    }
    return new FleetCertificates(
      ca,
      leaf.keyPem,
      createPrivateKey(ca.keyPem),
      tbs,
      Buffer.from(der.subarray(0, tbsStart)),
      Buffer.from(rest.subarray(0, signatureAt)),
      { names, serial, notBefore: times[0], notAfter: times[1] },
    );
  }

  /** The DNS name certificate `index` is issued for (8 hex digits, so every name has the template's length). */
  static dnsName(index: number): string {
    return `c${index.toString(16).padStart(7, '0')}.fleet.example.test`;
  }

  /**
   * Certificate `index`, DER: issued `ageDays` ago, expiring in `expiresInDays`
   * (negative: already expired). Deterministic for the same arguments.
   */
  certificate(index: number, options: { ageDays?: number; expiresInDays?: number; now?: number } = {}): Buffer {
    const tbs = Buffer.from(this.tbs);
    const name = Buffer.from(FleetCertificates.dnsName(index));
    for (const at of this.offsets.names) name.copy(tbs, at);
    tbs.writeUInt32BE(index >>> 0, this.offsets.serial + 12);
    const now = Math.floor((options.now ?? Date.now()) / DAY_MS) * DAY_MS;
    tbs.write(utcTime(now - (options.ageDays ?? 30) * DAY_MS), this.offsets.notBefore, 'latin1');
    tbs.write(utcTime(now + (options.expiresInDays ?? 60) * DAY_MS), this.offsets.notAfter, 'latin1');
    const signature = sign(null, tbs, this.caKey);
    return Buffer.concat([this.prefix, tbs, this.suffix, signature]);
  }

  /** Certificate `index` as PEM. */
  certificatePem(index: number, options?: Parameters<FleetCertificates['certificate']>[1]): string {
    const b64 = this.certificate(index, options).toString('base64').replace(/.{64}/g, '$&\n');
    return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
  }
}

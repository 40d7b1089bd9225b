/**
 * Certificate parsing benchmark: per-certificate cost of -node's
 * `parseCertificate` over distinct RSA-2048 leaves (the Kubernetes fleet's
 * and the TLS sweep's common case), before (whole-certificate
 * @peculiar/asn1-schema conversion, kept as the fallback) and after (one
 * asn1js tree walk over the TBSCertificate), beside the peer: `openssl`
 * printing the same certificates as text (`openssl pkcs7 -print_certs -text
 * -noout`, one process for all of them, so process start-up is spread thin).
 * Parsers alternate in rounds in the same process; medians of the rounds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetCertificates } from '@keyring/cloud-emulators/kubernetes';
import {
  parseCertificate,
  parseCertificateWithSchema,
} from '../plugins/machine-identity-node/src/certificates/parseCertificate';

const COUNT = Number(process.env.KEYRING_BENCH_CERTIFICATES ?? 2000);
const ROUNDS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timePerCert(ders: Buffer[], parse: (der: Buffer) => unknown): number {
  const t = performance.now();
  for (const der of ders) parse(der);
  return (performance.now() - t) / ders.length;
}

function opensslPerCert(ders: Buffer[]): number {
  const pem = ders
    .map(d => `-----BEGIN CERTIFICATE-----\n${d.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`)
    .join('');
  const dir = mkdtempSync(join(tmpdir(), 'keyring-bench-certs-'));
  let bundle: Buffer;
  try {
    writeFileSync(join(dir, 'certs.pem'), pem);
    bundle = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'certs.pem')], { maxBuffer: 1 << 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const t = performance.now();
  const text = execFileSync('openssl', ['pkcs7', '-print_certs', '-text', '-noout'], { input: bundle, maxBuffer: 1 << 30 });
  const ms = (performance.now() - t) / ders.length;
  const printed = text.toString().split('Certificate:\n').length - 1;
  if (printed !== ders.length) throw new Error(`openssl printed ${printed} of ${ders.length} certificates`);
  return ms;
}

/** Runs the certificate parsing benchmark and prints its figures. */
export async function run(): Promise<void> {
  const fleet = FleetCertificates.get();
  const ders = Array.from({ length: COUNT }, (_, i) => fleet.certificate(i));
  // Same answers from both paths before anything is timed.
  for (const der of ders.slice(0, 50)) {
    const { node: _a, ...after } = parseCertificate(der);
    const { node: _b, ...before } = parseCertificateWithSchema(der);
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('the two parse paths disagree');
  }
  timePerCert(ders.slice(0, 200), parseCertificate);
  timePerCert(ders.slice(0, 200), parseCertificateWithSchema);
  const before: number[] = [];
  const after: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    before.push(timePerCert(ders, parseCertificateWithSchema));
    after.push(timePerCert(ders, parseCertificate));
    peer.push(opensslPerCert(ders));
  }
  const [b, a, p] = [median(before), median(after), median(peer)];
  console.log(`certificates: ${COUNT} distinct RSA-2048 leaves, median of ${ROUNDS} rounds`);
  console.log(`certificates: before (asn1-schema conversion) ${(b * 1000).toFixed(0)} µs/cert (${Math.round(1000 / b)}/s)`);
  console.log(`certificates: after (asn1js tree walk) ${(a * 1000).toFixed(0)} µs/cert (${Math.round(1000 / a)}/s), ${(b / a).toFixed(1)}x cheaper`);
  console.log(`certificates: peer openssl pkcs7 -print_certs -text ${(p * 1000).toFixed(0)} µs/cert (${Math.round(1000 / p)}/s); Keyring ${(p / a).toFixed(2)}x openssl's rate (was ${(p / b).toFixed(2)}x)`);
}

if (process.argv[1]?.endsWith('certificates.ts')) {
  run().catch(error => {
    console.error(error);
    process.exitCode = 1;
  });
}

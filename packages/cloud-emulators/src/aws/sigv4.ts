import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from './xml';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** The parsed `Authorization` header of a Signature Version 4 request. */
export interface SigV4Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses the `Authorization` header; throws the error AWS returns for a missing or odd one. */
export function parseAuthorization(headers: IncomingHttpHeaders): SigV4Credential {
  const header = headers.authorization;
  if (!header) {
    throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  const m = AUTH.exec(header);
  if (!m) {
    throw new AwsError('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature', 403);
  }
  return {
    accessKeyId: m[1],
    date: m[2],
    region: m[3],
    service: m[4],
    signedHeaders: m[5].split(';'),
    signature: m[6],
  };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .map(pair => {
      const [k, v = ''] = pair.split('=');
      const enc = (s: string) => encodeURIComponent(decodeURIComponent(s)).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
      return [enc(k), enc(v)];
    })
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Verifies a request's Signature Version 4 signature with the caller's
 * secret, as AWS does: canonical request, string to sign, derived key.
 * Throws `SignatureDoesNotMatch` on a mismatch.
 */
export function verifySignature(options: {
  credential: SigV4Credential;
  secretAccessKey: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}): void {
  const { credential, headers } = options;
  const amzDate = String(headers['x-amz-date'] ?? '');
  const [path, query = ''] = options.url.split('?');
  const canonicalHeaders = credential.signedHeaders
    .map(name => {
      const raw = headers[name];
      const value = Array.isArray(raw) ? raw.join(',') : String(raw ?? '');
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = String(headers['x-amz-content-sha256'] ?? sha256(options.body));
  const canonicalRequest = [
    options.method,
    path || '/',
    canonicalQuery(query),
    canonicalHeaders,
    credential.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${options.secretAccessKey}`, credential.date);
  for (const part of [credential.region, credential.service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(credential.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      403,
    );
  }
}

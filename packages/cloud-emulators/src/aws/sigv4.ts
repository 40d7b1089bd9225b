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

/** The hex Signature Version 4 of a request, from its parts (shared by signing and verifying). */
function signatureFor(options: {
  secretAccessKey: string;
  date: string;
  region: string;
  service: string;
  amzDate: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  signedHeaders: string[];
  payloadHash: string;
}): Buffer {
  const [path, query = ''] = options.url.split('?');
  const canonicalHeaders = options.signedHeaders
    .map(name => {
      const raw = options.headers[name];
      const value = Array.isArray(raw) ? raw.join(',') : String(raw ?? '');
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    options.method,
    path || '/',
    canonicalQuery(query),
    canonicalHeaders,
    options.signedHeaders.join(';'),
    options.payloadHash,
  ].join('\n');
  const scope = `${options.date}/${options.region}/${options.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', options.amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${options.secretAccessKey}`, options.date);
  for (const part of [options.region, options.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest();
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
  const expected = signatureFor({
    ...credential,
    secretAccessKey: options.secretAccessKey,
    amzDate: String(headers['x-amz-date'] ?? ''),
    method: options.method,
    url: options.url,
    headers,
    payloadHash: String(headers['x-amz-content-sha256'] ?? sha256(options.body)),
  });
  const given = Buffer.from(credential.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      403,
    );
  }
}

/**
 * Signs a form-encoded Query API POST (Signature Version 4) and returns the
 * headers to send: for clients that talk to the emulator without the SDK
 * (the bench's peer).
 */
export function signQueryRequest(options: {
  endpoint: string;
  body: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  service?: string;
  now?: Date;
}): Record<string, string> {
  const amzDate = (options.now ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const region = options.region ?? 'us-east-1';
  const service = options.service ?? 'iam';
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host: new URL(options.endpoint).host,
    'x-amz-date': amzDate,
  };
  const signedHeaders = Object.keys(headers).sort();
  const signature = signatureFor({
    secretAccessKey: options.secretAccessKey,
    date,
    region,
    service,
    amzDate,
    method: 'POST',
    url: '/',
    headers,
    signedHeaders,
    payloadHash: sha256(options.body),
  });
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.accessKeyId}/${date}/${region}/${service}/aws4_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature.toString('hex')}`,
  };
}

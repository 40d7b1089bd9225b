import { IDENTITY_TYPES } from '@keyring/plugin-machine-identity-common';
import { findSecretMaterial, type MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';

const FINGERPRINT = /^[0-9a-f]{64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const MAX_TEXT = 2000;

/** Size caps of what one discovery may carry (serialized JSON). */
export const DISCOVERY_LIMITS = {
  attributesBytes: 32 * 1024,
  detailsBytes: 16 * 1024,
  linksBytes: 16 * 1024,
  /** Deepest nesting of objects and arrays in attributes and details. */
  depth: 5,
  /** Longest array anywhere in attributes, details and links. */
  arrayItems: 1000,
  /** Longest single string value in attributes and details. */
  stringChars: MAX_TEXT,
};

const LINK_KEYS = ['hostnames', 'sshHosts', 'sshAccounts', 'awsIamUsers', 'awsIamRoles', 'kubernetesIds'] as const;
const OWNER_HINT_KEYS = ['owner', 'component', 'via', 'fillsGapOnly'];
const ATTRIBUTE_TYPES: Record<string, 'string' | 'number' | 'boolean' | 'strings' | 'object'> = {
  subject: 'string',
  sans: 'strings',
  issuer: 'string',
  serialNumber: 'string',
  notBefore: 'string',
  notAfter: 'string',
  keyAlgorithm: 'string',
  keySize: 'number',
  curve: 'string',
  signatureAlgorithm: 'string',
  sshKeyType: 'string',
  comment: 'string',
  isCa: 'boolean',
  selfSigned: 'boolean',
  chainTrusted: 'boolean',
  publiclyTrusted: 'boolean',
  chain: 'strings',
  lastUsedAt: 'string',
  scopes: 'strings',
  storage: 'string',
  admin: 'boolean',
  staticKeys: 'number',
  privileged: 'boolean',
  privilegedReason: 'string',
  rotation: 'object',
  extra: 'object',
};

/** Keys whose values are digests by name: long hex or base64 there is a fingerprint, not a secret. */
const DIGEST_KEY = /fingerprint|sha256|sha1|digest|hash|serial/i;
/** Options that must never carry a value (authorized_keys `command=`, `environment=`). */
const VALUELESS_OPTIONS = new Set(['command', 'environment']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks a JSON value: only plain objects, arrays, finite numbers, booleans,
 * strings and null, within the depth, array and string caps, and no string that
 * holds secret material. Returns why it is refused, naming the path.
 */
function checkJson(value: unknown, path: string, depth: number, randomRuns: boolean, seen: Set<unknown>): string | undefined {
  if (value === null || value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is not a finite number`;
  if (typeof value === 'string') {
    if (value.length > DISCOVERY_LIMITS.stringChars) return `${path} is longer than ${DISCOVERY_LIMITS.stringChars} characters`;
    const digest = DIGEST_KEY.test(path.slice(path.lastIndexOf('.') + 1));
    const material = findSecretMaterial(value, { randomRuns: randomRuns && !digest });
    return material ? `${path} looks like ${material}` : undefined;
  }
  if (typeof value !== 'object') return `${path} is a ${typeof value}, not JSON`;
  if (depth >= DISCOVERY_LIMITS.depth) return `${path} is nested deeper than ${DISCOVERY_LIMITS.depth} levels`;
  if (seen.has(value)) return `${path} is circular`;
  seen.add(value);
  try {
    return checkContainer(value, path, depth, randomRuns, seen);
  } finally {
    seen.delete(value);
  }
}

function checkContainer(value: object, path: string, depth: number, randomRuns: boolean, seen: Set<unknown>): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > DISCOVERY_LIMITS.arrayItems) return `${path} has more than ${DISCOVERY_LIMITS.arrayItems} items`;
    for (const [i, item] of value.entries()) {
      const why = checkJson(item, `${path}[${i}]`, depth + 1, randomRuns, seen);
      if (why) return why;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return `${path} is not a plain object`;
  if (typeof value.name === 'string' && VALUELESS_OPTIONS.has(value.name.toLowerCase()) && value.value !== undefined) {
    return `${path} keeps the value of a ${value.name}= option`;
  }
  for (const [key, item] of Object.entries(value)) {
    const why = checkJson(item, `${path}.${key}`, depth + 1, randomRuns, seen);
    if (why) return why;
  }
  return undefined;
}

/** A top-level block (attributes, details, links): a plain JSON object within its byte cap. */
function checkBlock(value: unknown, name: string, maxBytes: number, randomRuns: boolean): string | undefined {
  if (!isPlainObject(value)) return `${name} is not an object`;
  const why = checkJson(value, name, 0, randomRuns, new Set());
  if (why) return why;
  return Buffer.byteLength(JSON.stringify(value) ?? '') > maxBytes ? `${name} are larger than ${maxBytes} bytes` : undefined;
}

function checkAttributes(attributes: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const type = ATTRIBUTE_TYPES[key];
    if (!type) return `attributes.${key} is not a known attribute (put free-form facts in attributes.extra)`;
    const ok =
      type === 'strings'
        ? Array.isArray(value) && value.every(v => typeof v === 'string')
        : type === 'object'
          ? isPlainObject(value)
          : typeof value === type;
    if (!ok) return `attributes.${key} is not ${type === 'strings' ? 'a list of strings' : `a ${type}`}`;
  }
  if (attributes.extra !== undefined && !Object.values(attributes.extra as object).every(v => ['string', 'number', 'boolean'].includes(typeof v))) {
    return 'attributes.extra holds a value that is not a string, number or boolean';
  }
  return undefined;
}

function checkLinks(links: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(links)) {
    if (value === undefined) continue;
    if (!(LINK_KEYS as readonly string[]).includes(key)) return `links.${key} is not a known link`;
    if (!Array.isArray(value) || !value.every(v => typeof v === 'string' && v.length <= 512)) {
      return `links.${key} is not a list of strings of at most 512 characters`;
    }
  }
  return undefined;
}

function checkOwnerHint(hint: unknown): string | undefined {
  if (!isPlainObject(hint)) return 'ownerHint is not an object';
  for (const [key, value] of Object.entries(hint)) {
    if (!OWNER_HINT_KEYS.includes(key)) return `ownerHint.${key} is not a known field`;
    if (key === 'fillsGapOnly') {
      if (value !== undefined && typeof value !== 'boolean') return 'ownerHint.fillsGapOnly is not a boolean';
      continue;
    }
    if (value !== undefined && (typeof value !== 'string' || value.length > 500)) {
      return `ownerHint.${key} is not a string of at most 500 characters`;
    }
  }
  if (typeof hint.via !== 'string' || !hint.via) return 'ownerHint.via is missing';
  return checkJson(hint, 'ownerHint', 0, false, new Set());
}

/**
 * Checks a discovery streamed by a scanner; returns why it is unusable, or
 * undefined. Scanners are plugins of varying quality: bad input is recorded
 * on the run, never allowed to crash it or reach the database. Attributes,
 * details, links and the owner hint are checked against their shape and size
 * caps, and anything that looks like key or token material (a private key
 * block, a token with a known prefix, an `environment=` or `command=` value, a
 * long random string in `details`) is refused here, whichever scanner sent it.
 * The reason names the field, never the value.
 */
export function validateDiscovery(d: unknown): string | undefined {
  if (!d || typeof d !== 'object') {
    return 'discovery is not an object';
  }
  const x = d as Partial<MachineIdentityDiscovery>;
  if (!IDENTITY_TYPES.includes(x.type as never)) {
    const shown = JSON.stringify(String(x.type)).slice(0, 60);
    return findSecretMaterial(shown) ? 'unknown identity type' : `unknown identity type ${shown}`;
  }
  if (typeof x.fingerprintSha256 !== 'string' || !FINGERPRINT.test(x.fingerprintSha256)) {
    return 'fingerprintSha256 is not 64 lower-case hex characters';
  }
  if (typeof x.displayName !== 'string' || !x.displayName || x.displayName.length > MAX_TEXT) {
    return 'displayName is missing or longer than 2000 characters';
  }
  if (typeof x.location !== 'string' || !x.location || x.location.length > MAX_TEXT) {
    return 'location is missing or longer than 2000 characters';
  }
  for (const [field, text] of [['displayName', x.displayName], ['location', x.location]] as const) {
    const material = findSecretMaterial(text);
    if (material) return `${field} looks like ${material}`;
  }
  if (x.attributes !== undefined) {
    const why = checkBlock(x.attributes, 'attributes', DISCOVERY_LIMITS.attributesBytes, false) ?? checkAttributes(x.attributes as Record<string, unknown>);
    if (why) return why;
  }
  if (x.details !== undefined) {
    const why = checkBlock(x.details, 'details', DISCOVERY_LIMITS.detailsBytes, true);
    if (why) return why;
  }
  if (x.links !== undefined) {
    const why = checkBlock(x.links, 'links', DISCOVERY_LIMITS.linksBytes, false) ?? checkLinks(x.links as Record<string, unknown>);
    if (why) return why;
  }
  if (x.ownerHint !== undefined) {
    const why = checkOwnerHint(x.ownerHint);
    if (why) return why;
  }
  if (x.firstSeenEvidence !== undefined && (typeof x.firstSeenEvidence !== 'string' || !ISO_TIME.test(x.firstSeenEvidence))) {
    return 'firstSeenEvidence is not an ISO-8601 time';
  }
  if (x.management !== undefined && !['automated', 'manual', 'unmanaged'].includes(x.management)) {
    return 'management is not automated, manual or unmanaged';
  }
  return undefined;
}

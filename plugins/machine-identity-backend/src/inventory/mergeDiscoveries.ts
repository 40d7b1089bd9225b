import type {
  IdentityLinks,
  MachineIdentityDiscovery,
  OwnerHint,
} from '@keyring/plugin-machine-identity-node';
import { identityId } from '../database/identityId';
import type { IdentityRecord, ObservationRecord } from '../database/types';
import { sightingHash } from './sightingHash';

/** One identity's sightings within a batch, merged. */
export interface MergedDiscovery {
  id: string;
  /** The last sighting: its descriptive fields win. */
  last: MachineIdentityDiscovery;
  links?: IdentityLinks;
  logins?: string[][];
  hint?: OwnerHint;
  firstSeen: string;
  automated: boolean;
}

function normalizeIso(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Unions two link sets, each list deduplicated and sorted. */
export function mergeLinks(a: IdentityLinks | undefined, b: IdentityLinks | undefined): IdentityLinks | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: IdentityLinks = {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof IdentityLinks>;
  for (const key of keys) {
    out[key] = [...new Set([...(a[key] ?? []), ...(b[key] ?? [])])].sort();
  }
  return out;
}

/** `[host, account]` pairs of one discovery: every host with every account it names. */
function loginsOf(links: IdentityLinks | undefined): string[][] {
  const out: string[][] = [];
  for (const host of links?.sshHosts ?? []) {
    for (const account of links?.sshAccounts ?? []) {
      out.push([host, account]);
    }
  }
  return out;
}

/** Merges `[host, account]` pairs, deduplicated and sorted (stable JSON for change detection). */
export function mergeLogins(a: string[][] | undefined, b: string[][] | undefined): string[][] | undefined {
  if (!a?.length && !b?.length) return undefined;
  const byKey = new Map<string, string[]>();
  for (const pair of [...(a ?? []), ...(b ?? [])]) byKey.set(JSON.stringify(pair), pair);
  return [...byKey.keys()].sort().map(k => byKey.get(k)!);
}

/**
 * Folds a batch of one source's discoveries into one entry per identity and
 * one observation per (identity, location).
 */
export function mergeBatch(options: {
  scanId: string;
  sourceId: string;
  discoveries: MachineIdentityDiscovery[];
  now: string;
  inputVersion?: string;
}): { merged: Map<string, MergedDiscovery>; observations: Map<string, ObservationRecord> } {
  const { scanId, sourceId, discoveries, now, inputVersion } = options;
  const merged = new Map<string, MergedDiscovery>();
  const observations = new Map<string, ObservationRecord>();
  for (const d of discoveries) {
    const id = identityId(d.type, d.fingerprintSha256);
    const evidence = normalizeIso(d.firstSeenEvidence);
    const firstSeen = evidence && evidence < now ? evidence : now;
    const m = merged.get(id);
    if (m) {
      m.last = d;
      m.links = mergeLinks(m.links, d.links);
      m.logins = mergeLogins(m.logins, loginsOf(d.links));
      m.hint = d.ownerHint ?? m.hint;
      m.firstSeen = firstSeen < m.firstSeen ? firstSeen : m.firstSeen;
      m.automated ||= d.management === 'automated';
    } else {
      merged.set(id, {
        id,
        last: d,
        links: d.links,
        logins: mergeLogins(undefined, loginsOf(d.links)),
        hint: d.ownerHint,
        firstSeen,
        automated: d.management === 'automated',
      });
    }
    observations.set(JSON.stringify([id, d.location]), {
      identityId: id,
      sourceId,
      location: d.location,
      firstSeen,
      lastSeen: now,
      lastScanId: scanId,
      details: d.details,
      contentHash: sightingHash(d, inputVersion),
    });
  }
  return { merged, observations };
}

/**
 * The next version of an identity from its merged sightings and its stored
 * version: links and logins accumulate, review decisions, state and counters
 * carry over. Ownership is left to the resolver.
 */
export function nextRecord(m: MergedDiscovery, old: IdentityRecord | undefined, now: string, addedSightings: number): IdentityRecord {
  const d = m.last;
  const attributes = d.attributes ?? {};
  return {
    id: m.id,
    type: d.type,
    fingerprintSha256: d.fingerprintSha256,
    displayName: d.displayName,
    subject: attributes.subject,
    attributes,
    notAfter: normalizeIso(attributes.notAfter),
    ownershipRule: 'fallback',
    ownerHint: m.hint ?? old?.ownerHint,
    links: mergeLinks(old?.links, m.links),
    sshLogins: mergeLogins(old?.sshLogins, m.logins),
    reviewOwner: old?.reviewOwner,
    reviewComponent: old?.reviewComponent,
    state: old?.state ?? 'active',
    stateChangedAt: old?.stateChangedAt ?? now,
    management: m.automated ? 'automated' : (d.management ?? old?.management ?? 'manual'),
    firstSeen: old && old.firstSeen < m.firstSeen ? old.firstSeen : m.firstSeen,
    lastSeen: now,
    changeSeq: old?.changeSeq ?? 0,
    observationCount: (old?.observationCount ?? 0) + addedSightings,
    violationCount: old?.violationCount ?? 0,
    reviewStatus: old?.reviewStatus ?? 'never',
  };
}

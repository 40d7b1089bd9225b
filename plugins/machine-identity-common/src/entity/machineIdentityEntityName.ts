import type { IdentityType } from '../types';
import { MACHINE_IDENTITY_NAME_PREFIXES } from './constants';

/** Fingerprint hex digits in a name unless a collision asks for more (64 bits). */
export const DEFAULT_NAME_FINGERPRINT_LENGTH = 16;

/** Longest entity name the catalog accepts. */
const MAX_NAME_LENGTH = 63;
/** How many hex digits a collision adds at a time. */
const COLLISION_STEP = 4;

const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The catalog entity name of an identity: a short type prefix and the first
 * `length` hex digits of its SHA-256 fingerprint, e.g. `tls-3f9a2c1d7e6b5a40`.
 * Stable (a pure function of its inputs), DNS-label safe and at most 63
 * characters. Use {@link MachineIdentityEntityNamer} when fingerprints that
 * share a prefix must get distinct names.
 *
 * @throws TypeError when the type is unknown or the fingerprint is not 64 lower-case hex digits.
 */
export function machineIdentityEntityName(
  type: IdentityType,
  fingerprintSha256: string,
  options?: { length?: number },
): string {
  const prefix = MACHINE_IDENTITY_NAME_PREFIXES[type];
  if (!prefix) {
    throw new TypeError(`Unknown machine identity type '${type}'`);
  }
  if (!FINGERPRINT_PATTERN.test(fingerprintSha256)) {
    throw new TypeError(
      `Fingerprint of a ${type} must be 64 lower-case hex digits, got '${fingerprintSha256}'`,
    );
  }
  const length = Math.min(
    options?.length ?? DEFAULT_NAME_FINGERPRINT_LENGTH,
    MAX_NAME_LENGTH - prefix.length - 1,
  );
  return `${prefix}-${fingerprintSha256.slice(0, length)}`;
}

/**
 * Hands out unique entity names: the first identity to claim a name keeps it,
 * and a later fingerprint sharing that prefix gets a longer one (4 more hex
 * digits at a time). Claims are remembered, so the same identity always gets
 * the same name from one namer. Feed identities in a stable order (oldest
 * `firstSeen` first) when rebuilding a namer so names survive restarts.
 */
export class MachineIdentityEntityNamer {
  /** Entity name → the `type:fingerprint` that holds it. */
  private readonly holders = new Map<string, string>();

  /** The name of an identity, claiming one if it has none yet. */
  nameFor(type: IdentityType, fingerprintSha256: string): string {
    const key = `${type}:${fingerprintSha256}`;
    const short = machineIdentityEntityName(type, fingerprintSha256);
    if (this.holders.get(short) === key) return short;
    const candidates = this.candidates(type, fingerprintSha256);
    // An identity keeps the name it holds, even when a shorter one is free.
    for (const name of candidates) {
      if (this.holders.get(name) === key) return name;
    }
    for (const name of candidates) {
      if (!this.holders.has(name)) {
        this.holders.set(name, key);
        return name;
      }
    }
    // Cannot happen with SHA-256 (57 equal hex digits).
    throw new TypeError(`Cannot name ${key}: every candidate name is taken`);
  }

  /**
   * Records a name already in use (e.g. read back from the catalog after a
   * restart) so the identity keeps it. Returns false when another identity
   * holds the name.
   */
  remember(name: string, type: IdentityType, fingerprintSha256: string): boolean {
    const key = `${type}:${fingerprintSha256}`;
    const holder = this.holders.get(name);
    if (holder !== undefined) {
      return holder === key;
    }
    this.holders.set(name, key);
    return true;
  }

  /** Names from 16 fingerprint digits up, 4 more at a time, as long as a name allows. */
  private candidates(type: IdentityType, fingerprintSha256: string): string[] {
    const names: string[] = [];
    for (let length = DEFAULT_NAME_FINGERPRINT_LENGTH; ; length += COLLISION_STEP) {
      const name = machineIdentityEntityName(type, fingerprintSha256, { length });
      if (names[names.length - 1] === name) return names;
      names.push(name);
    }
  }

  /** Number of names handed out. */
  get size(): number {
    return this.holders.size;
  }
}

import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DAY_MS } from '../PolicyRule';
import type { PolicyContext } from '../types';

/** The fixed clock of the policy tests. */
export const NOW = new Date('2026-11-20T12:00:00.000Z');

/** `NOW` shifted by a number of days (negative = past). */
export function daysFromNow(days: number, now: Date = NOW): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}

/** A compliant identity of the given type, with overrides. */
export function makeIdentity(overrides: Partial<Identity> = {}): Identity {
  return {
    id: 'id-1',
    type: 'tls-certificate',
    fingerprintSha256: 'ab'.repeat(32),
    displayName: 'api.payments.example.test',
    owner: 'group:default/payments',
    component: 'component:default/payments-api',
    ownershipRule: 'component-annotation',
    state: 'active',
    management: 'automated',
    firstSeen: daysFromNow(-10),
    lastSeen: NOW.toISOString(),
    observationCount: 1,
    violationCount: 0,
    reviewStatus: 'reviewed',
    ...overrides,
  };
}

/** A compliant TLS certificate: 90-day ECDSA P-256, issued 10 days ago. */
export function makeCertificate(overrides: Partial<Identity> = {}): Identity {
  return makeIdentity({
    type: 'tls-certificate',
    keyAlgorithm: 'EC',
    curve: 'P-256',
    keySize: 256,
    signatureAlgorithm: 'ecdsa-with-SHA256',
    notBefore: daysFromNow(-10),
    notAfter: daysFromNow(80),
    selfSigned: false,
    chainTrusted: true,
    publiclyTrusted: false,
    ...overrides,
  });
}

/** A context at `NOW` with no observations. */
export function makeContext(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return { now: NOW, observations: [], ...overrides };
}

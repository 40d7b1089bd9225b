import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DAY_MS, type PolicyContext } from '../policy';

/** The fixed clock of policy rule tests. */
export const POLICY_TEST_NOW = new Date('2026-11-20T12:00:00.000Z');

/** `now` (default {@link POLICY_TEST_NOW}) shifted by a number of days (negative = past), as ISO-8601. */
export function daysFromNow(days: number, now: Date = POLICY_TEST_NOW): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}

/** A compliant, owned, reviewed identity (a TLS certificate unless `type` says otherwise), with overrides. */
export function makeTestIdentity(overrides: Partial<Identity> = {}): Identity {
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
    lastSeen: POLICY_TEST_NOW.toISOString(),
    observationCount: 1,
    violationCount: 0,
    reviewStatus: 'reviewed',
    ...overrides,
  };
}

/** A compliant TLS certificate: 90-day ECDSA P-256, issued 10 days ago. */
export function makeTestCertificate(overrides: Partial<Identity> = {}): Identity {
  return makeTestIdentity({
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

/** A policy context at {@link POLICY_TEST_NOW} with no observations. */
export function makePolicyContext(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return { now: POLICY_TEST_NOW, observations: [], ...overrides };
}

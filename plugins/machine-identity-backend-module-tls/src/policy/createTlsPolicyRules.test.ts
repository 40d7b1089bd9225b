import { ConfigReader } from '@backstage/config';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DAY_MS, type PolicyContext, type PolicyRule } from '@keyring/plugin-machine-identity-node';
import {
  daysFromNow,
  evaluatePolicyRules,
  makePolicyContext as makeContext,
  makeTestCertificate as makeCertificate,
  POLICY_TEST_NOW as NOW,
} from '@keyring/plugin-machine-identity-node/testUtils';
import { createTlsPolicyRules } from './createTlsPolicyRules';
import { readTlsPolicySettings } from './TlsPolicySettings';

/** The rules as the backend's engine runs them (in order, for the identity's type). */
const evaluator = (rules: readonly PolicyRule[]) => ({
  evaluate: (identity: Identity, context: PolicyContext) => evaluatePolicyRules(rules, identity, context),
});

const engine = evaluator(createTlsPolicyRules());

function ruleIds(identity: Identity, context: PolicyContext = makeContext()) {
  return engine.evaluate(identity, context).map(r => r.ruleId);
}

function result(ruleId: string, identity: Identity, context = makeContext()) {
  return engine.evaluate(identity, context).find(r => r.ruleId === ruleId);
}

/** A certificate valid for `days` days from `start` days relative to now. */
function validFor(days: number, overrides: Partial<Identity> = {}, start = -1) {
  const notBefore = new Date(NOW.getTime() + start * DAY_MS);
  return makeCertificate({
    notBefore: notBefore.toISOString(),
    notAfter: new Date(notBefore.getTime() + days * DAY_MS).toISOString(),
    ...overrides,
  });
}

describe('TLS rules', () => {
  it('finds nothing wrong with a compliant certificate', () => {
    expect(engine.evaluate(makeCertificate(), makeContext())).toEqual([]);
  });

  describe('tls.validity', () => {
    it('passes exactly 90 days for a public certificate and fails 91', () => {
      expect(ruleIds(validFor(90, { publiclyTrusted: true }))).not.toContain('tls.validity');
      expect(ruleIds(validFor(89, { publiclyTrusted: true }))).not.toContain('tls.validity');
      const over = result('tls.validity', validFor(91, { publiclyTrusted: true }));
      expect(over?.severity).toBe('warning');
      expect(over?.message).toBe(
        'Validity of 91 days exceeds the 90-day maximum for public certificates',
      );
    });

    it('fails a public certificate one second over 90 days', () => {
      const cert = validFor(90, { publiclyTrusted: true });
      cert.notAfter = new Date(Date.parse(cert.notAfter!) + 1000).toISOString();
      expect(ruleIds(cert)).toContain('tls.validity');
    });

    it('allows 365 days for internal certificates and fails 366 or 398', () => {
      expect(ruleIds(validFor(365, { publiclyTrusted: false }))).not.toContain('tls.validity');
      expect(result('tls.validity', validFor(366))?.message).toContain(
        '365-day maximum for internal',
      );
      expect(ruleIds(validFor(398))).toContain('tls.validity');
    });

    it('treats an unknown chain as public when the context says so', () => {
      const cert = validFor(120, { publiclyTrusted: undefined });
      expect(ruleIds(cert, makeContext({ environment: 'public' }))).toContain('tls.validity');
      expect(ruleIds(cert, makeContext({ environment: 'internal' }))).not.toContain(
        'tls.validity',
      );
    });

    it('reads its maxima from settings', () => {
      const strict = evaluator(createTlsPolicyRules({ maxValidityDays: { public: 47, internal: 90 } }));
      const ids = (c: Identity) => strict.evaluate(c, makeContext()).map(r => r.ruleId);
      expect(ids(validFor(47, { publiclyTrusted: true }))).not.toContain('tls.validity');
      expect(ids(validFor(48, { publiclyTrusted: true }))).toContain('tls.validity');
      expect(ids(validFor(91))).toContain('tls.validity');
    });
  });

  describe('tls.key-size', () => {
    it('fails RSA 2047 and passes RSA 2048', () => {
      const small = result('tls.key-size', makeCertificate({ keyAlgorithm: 'rsaEncryption', keySize: 2047, curve: undefined }));
      expect(small?.severity).toBe('error');
      expect(small?.message).toBe('RSA key of 2047 bits is below the 2048-bit minimum');
      expect(ruleIds(makeCertificate({ keyAlgorithm: 'RSA', keySize: 2048, curve: undefined }))).not.toContain('tls.key-size');
      expect(ruleIds(makeCertificate({ keyAlgorithm: 'rsa', keySize: 1024, curve: undefined }))).toContain('tls.key-size');
    });

    it('passes P-256 and fails P-224 in any spelling', () => {
      for (const curve of ['P-256', 'prime256v1', 'secp256r1', 'P-384', 'secp521r1']) {
        expect(ruleIds(makeCertificate({ keyAlgorithm: 'EC', curve }))).not.toContain('tls.key-size');
      }
      for (const curve of ['P-224', 'secp224r1', 'prime192v1']) {
        const r = result('tls.key-size', makeCertificate({ keyAlgorithm: 'id-ecPublicKey', curve, keySize: undefined }));
        expect(r?.severity).toBe('error');
        expect(r?.message).toContain(curve);
      }
    });

    it('passes Ed25519 and fails DSA', () => {
      expect(ruleIds(makeCertificate({ keyAlgorithm: 'Ed25519', curve: undefined }))).not.toContain('tls.key-size');
      expect(ruleIds(makeCertificate({ keyAlgorithm: 'DSA', keySize: 2048, curve: undefined }))).toContain('tls.key-size');
    });
  });

  describe('tls.issuer', () => {
    it('fails an untrusted chain only when approved issuers are configured', () => {
      const cert = makeCertificate({ chainTrusted: false, issuer: 'CN=Rogue CA' });
      expect(ruleIds(cert)).not.toContain('tls.issuer');
      const approved = evaluator(createTlsPolicyRules({ approvedIssuers: ['/etc/keyring/ca/root.pem'] }));
      const r = approved.evaluate(cert, makeContext()).find(x => x.ruleId === 'tls.issuer');
      expect(r?.severity).toBe('error');
      expect(r?.message).toContain('CN=Rogue CA');
      expect(
        approved.evaluate(makeCertificate({ chainTrusted: true }), makeContext()).map(x => x.ruleId),
      ).not.toContain('tls.issuer');
    });
  });

  describe('tls.automation', () => {
    it('warns for manual and unmanaged renewal', () => {
      expect(result('tls.automation', makeCertificate({ management: 'manual' }))?.severity).toBe('warning');
      expect(ruleIds(makeCertificate({ management: 'unmanaged' }))).toContain('tls.automation');
      expect(ruleIds(makeCertificate({ management: 'automated' }))).not.toContain('tls.automation');
    });
  });

  describe('tls.expiry', () => {
    // A 365-day certificate, so the lifetime share (121 days) is not what triggers.
    const expiring = (daysLeft: number) =>
      makeCertificate({ notBefore: daysFromNow(daysLeft - 365), notAfter: daysFromNow(daysLeft) });
    const strictDays = evaluator(createTlsPolicyRules({ expiryWarningLifetimeShare: 0 }));
    const expiryOf = (c: Identity) =>
      strictDays.evaluate(c, makeContext()).find(r => r.ruleId === 'tls.expiry');

    it('warns at exactly 30 days left and not at 31', () => {
      expect(expiryOf(expiring(31))).toBeUndefined();
      const r = expiryOf(expiring(30));
      expect(r?.severity).toBe('warning');
      expect(r?.details?.threshold).toBe(30);
      expect(r?.message).toContain('within the 30-day warning threshold');
    });

    it('reports the 14-day threshold as a warning and 7 days as an error', () => {
      expect(expiryOf(expiring(15))?.details?.threshold).toBe(30);
      expect(expiryOf(expiring(14))).toMatchObject({ severity: 'warning', details: { threshold: 14 } });
      expect(expiryOf(expiring(8))).toMatchObject({ severity: 'warning', details: { threshold: 14 } });
      expect(expiryOf(expiring(7))).toMatchObject({ severity: 'error', details: { threshold: 7 } });
      expect(expiryOf(expiring(0.5))?.severity).toBe('error');
    });

    it('warns a 398-day certificate by lifetime share long before 30 days', () => {
      const cert = (daysLeft: number) =>
        makeCertificate({ notBefore: daysFromNow(daysLeft - 398), notAfter: daysFromNow(daysLeft) });
      // 0.33 × 398 = 131.3 days
      expect(result('tls.expiry', cert(132))).toBeUndefined();
      const r = result('tls.expiry', cert(131));
      expect(r?.severity).toBe('warning');
      expect(r?.details?.threshold).toBeUndefined();
      expect(r?.message).toContain('32% of its 398 days lifetime left');
    });

    it('warns a 47-day certificate when a third of its lifetime is left', () => {
      const onlyShare = evaluator(createTlsPolicyRules({ expiryWarningDays: [7] }));
      const cert = (daysLeft: number) =>
        makeCertificate({ notBefore: daysFromNow(daysLeft - 47), notAfter: daysFromNow(daysLeft) });
      const of = (c: Identity) => onlyShare.evaluate(c, makeContext()).find(r => r.ruleId === 'tls.expiry');
      // 0.33 × 47 = 15.51 days
      expect(of(cert(15.6))).toBeUndefined();
      expect(of(cert(15.5))?.severity).toBe('warning');
      expect(of(cert(7))?.severity).toBe('error');
      // With the default thresholds it is warned at 30 days already.
      expect(result('tls.expiry', cert(30))?.details?.threshold).toBe(30);
    });

    it('leaves expired certificates to tls.expired', () => {
      const ids = ruleIds(expiring(-1));
      expect(ids).toContain('tls.expired');
      expect(ids).not.toContain('tls.expiry');
    });
  });

  describe('tls.expired', () => {
    it('is an error one second after notAfter and nothing at notAfter', () => {
      const atLimit = makeCertificate({ notBefore: daysFromNow(-90), notAfter: NOW.toISOString() });
      expect(ruleIds(atLimit)).not.toContain('tls.expired');
      expect(result('tls.expiry', atLimit)?.severity).toBe('error');
      const late = makeCertificate({
        notBefore: daysFromNow(-90),
        notAfter: new Date(NOW.getTime() - 1000).toISOString(),
      });
      expect(result('tls.expired', late)?.severity).toBe('error');
      expect(result('tls.expired', makeCertificate({ notBefore: daysFromNow(-100), notAfter: daysFromNow(-3) }))?.message).toMatch(/^Expired 3 days ago/);
    });
  });

  describe('tls.sha1-signature', () => {
    it('fails SHA-1 and MD5 signatures and passes SHA-256', () => {
      for (const alg of ['sha1WithRSAEncryption', 'ecdsa-with-SHA1', 'SHA-1', 'md5WithRSAEncryption']) {
        expect(result('tls.sha1-signature', makeCertificate({ signatureAlgorithm: alg }))?.severity).toBe('error');
      }
      for (const alg of ['sha256WithRSAEncryption', 'ecdsa-with-SHA384', 'SHA-512', 'RSASSA-PSS']) {
        expect(ruleIds(makeCertificate({ signatureAlgorithm: alg }))).not.toContain('tls.sha1-signature');
      }
    });

    it('ignores the self-signature of a root CA', () => {
      const root = makeCertificate({ signatureAlgorithm: 'sha1WithRSAEncryption', isCa: true, selfSigned: true });
      expect(ruleIds(root)).not.toContain('tls.sha1-signature');
    });
  });

  describe('tls.self-signed', () => {
    it('fails a self-signed certificate only for production Components', () => {
      const cert = makeCertificate({ selfSigned: true });
      expect(result('tls.self-signed', cert, makeContext({ componentLifecycle: 'production' }))?.severity).toBe('error');
      expect(ruleIds(cert, makeContext({ componentLifecycle: 'experimental' }))).not.toContain('tls.self-signed');
      expect(ruleIds(cert)).not.toContain('tls.self-signed');
    });
  });

  describe('thresholds from machineIdentity.policies.tls', () => {
    const read = (tls: object) => readTlsPolicySettings(new ConfigReader({ machineIdentity: { policies: { tls } } }));

    it('reads the keys onto the defaults', () => {
      const rules = createTlsPolicyRules(read({ maxValidityDays: { internal: 500 }, minRsaBits: 3072 }));
      const parameters = Object.fromEntries(rules.map(r => [r.id, r.parameters({} as never)]));
      expect(parameters['tls.validity']).toEqual({ maxValidityDays: { public: 90, internal: 500 } });
      expect(parameters['tls.key-size']).toEqual({ minRsaBits: 3072, minEcdsaBits: 256 });
      expect(readTlsPolicySettings(new ConfigReader({}))).toEqual({});
    });

    it('refuses invalid thresholds with the key in the message', () => {
      expect(() => read({ expiryWarningLifetimeShare: 1.5 })).toThrow(/tls\.expiryWarningLifetimeShare must be in \[0, 1\)/);
      expect(() => read({ expiryWarningDays: [30, -1] })).toThrow(/non-negative/);
      expect(() => read({ minRsaBits: 0 })).toThrow(/tls\.minRsaBits must be a positive number/);
      expect(() => read({ maxValidityDays: { public: -1 } })).toThrow(/tls\.maxValidityDays\.public must be a positive number/);
    });
  });
});

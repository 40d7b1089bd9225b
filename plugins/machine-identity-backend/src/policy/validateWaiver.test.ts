import { validateWaiver, type PolicyWaiver } from './validateWaiver';
import { daysFromNow, NOW } from './__fixtures__/identities';

const waiver = (overrides: Partial<PolicyWaiver> = {}): PolicyWaiver => ({
  identityId: 'id-1',
  ruleId: 'tls.key-size',
  reason: 'Legacy HSM cannot do larger keys; replacement ordered',
  approver: 'user:default/alice',
  expiresAt: daysFromNow(30),
  ...overrides,
});

describe('validateWaiver', () => {
  const options = { now: NOW, knowsRule: (id: string) => id.startsWith('tls.') };

  it('accepts a complete waiver', () => {
    expect(() => validateWaiver(waiver(), options)).not.toThrow();
  });

  it('rejects missing reason or approver, past or far expiry, unknown rules', () => {
    expect(() => validateWaiver(waiver({ reason: ' ' }), options)).toThrow(/reason/);
    expect(() => validateWaiver(waiver({ approver: '' }), options)).toThrow(/approver/);
    expect(() => validateWaiver(waiver({ expiresAt: NOW.toISOString() }), options)).toThrow(/future/);
    expect(() => validateWaiver(waiver({ expiresAt: 'soon' }), options)).toThrow(/ISO-8601/);
    expect(() => validateWaiver(waiver({ expiresAt: undefined }), options)).toThrow(/needs an expiry/);
    expect(() => validateWaiver(waiver({ expiresAt: daysFromNow(366) }), options)).toThrow(/at most 365 days/);
    expect(() => validateWaiver(waiver({ ruleId: 'ssh.age' }), options)).toThrow(/Unknown rule/);
  });
});

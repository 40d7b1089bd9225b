import { applyWaivers, validateWaiver, type PolicyWaiver } from './applyWaivers';
import type { RuleResult } from './types';
import { daysFromNow, NOW } from './__fixtures__/identities';

const results: RuleResult[] = [
  { ruleId: 'tls.validity', severity: 'warning', message: 'm1', remediation: 'r1' },
  { ruleId: 'tls.key-size', severity: 'error', message: 'm2', remediation: 'r2' },
];

const waiver = (overrides: Partial<PolicyWaiver> = {}): PolicyWaiver => ({
  identityId: 'id-1',
  ruleId: 'tls.key-size',
  reason: 'Legacy HSM cannot do larger keys; replacement ordered',
  approver: 'user:default/alice',
  expiresAt: daysFromNow(30),
  ...overrides,
});

describe('applyWaivers', () => {
  it('suppresses a waived rule and keeps the waiver with the result', () => {
    const outcome = applyWaivers(results, [waiver()], NOW);
    expect(outcome.results.map(r => r.ruleId)).toEqual(['tls.validity']);
    expect(outcome.waived).toHaveLength(1);
    expect(outcome.waived[0]).toMatchObject({ ruleId: 'tls.key-size', waiver: { approver: 'user:default/alice' } });
  });

  it('stops applying at the expiry instant', () => {
    const expiresAt = new Date(NOW.getTime() + 1000).toISOString();
    expect(applyWaivers(results, [waiver({ expiresAt })], NOW).results).toHaveLength(1);
    expect(applyWaivers(results, [waiver({ expiresAt })], new Date(NOW.getTime() + 1000)).results).toHaveLength(2);
    expect(applyWaivers(results, [waiver({ expiresAt: daysFromNow(-1) })], NOW).waived).toEqual([]);
    // A stored waiver without expiry is open-ended.
    expect(applyWaivers(results, [waiver({ expiresAt: undefined })], new Date('2099-01-01')).waived).toHaveLength(1);
  });

  it('ignores waivers of other identities when the identity is named', () => {
    expect(applyWaivers(results, [waiver({ identityId: 'other' })], NOW, 'id-1').results).toHaveLength(2);
    expect(applyWaivers(results, [waiver()], NOW, 'id-1').results).toHaveLength(1);
  });

  it('keeps the longest-lasting of several waivers for one rule', () => {
    const outcome = applyWaivers(results, [waiver({ expiresAt: daysFromNow(1) }), waiver({ expiresAt: daysFromNow(9), approver: 'user:default/bob' })], NOW);
    expect(outcome.waived[0].waiver.approver).toBe('user:default/bob');
  });
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

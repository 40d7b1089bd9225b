import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DefaultPolicyEngine } from './DefaultPolicyEngine';
import { compileNamingPattern, serviceAccountName } from './serviceAccountRules';
import { makeContext, makeIdentity } from './__fixtures__/identities';

const engine = DefaultPolicyEngine.create();

function account(overrides: Partial<Identity> = {}): Identity {
  return makeIdentity({
    type: 'service-account',
    displayName: 'payments/svc-payments-api',
    admin: false,
    staticKeys: 0,
    ...overrides,
  });
}

const result = (ruleId: string, identity: Identity, e = engine) =>
  e.evaluate(identity, makeContext()).find(r => r.ruleId === ruleId);

describe('service account rules', () => {
  it('finds nothing wrong with a well-named account without admin or static keys', () => {
    expect(engine.evaluate(account(), makeContext())).toEqual([]);
  });

  describe('service-account.naming', () => {
    it('compiles svc-{team}-{purpose} so the purpose may span segments but the team may not be empty', () => {
      const regex = compileNamingPattern('svc-{team}-{purpose}');
      for (const ok of ['svc-payments-api', 'svc-payments-db-backup', 'svc-a-b', 'svc-team1-x9']) {
        expect(regex.test(ok)).toBe(true);
      }
      for (const bad of ['payments-api', 'svc-payments', 'svc--api', 'SVC-payments-api', 'svc-payments-api-', 'svc-pay_ments-api', 'xsvc-payments-api', 'svc-payments.api']) {
        expect(regex.test(bad)).toBe(false);
      }
    });

    it('treats * as a wildcard and escapes everything else', () => {
      const regex = compileNamingPattern('sa.*@{team}.iam');
      expect(regex.test('sa.build-bot@payments.iam')).toBe(true);
      expect(regex.test('sa.@payments.iam')).toBe(false);
      expect(regex.test('saXbuild@payments.iam')).toBe(false);
      expect(compileNamingPattern('svc-*').test('svc-anything-goes')).toBe(true);
      expect(compileNamingPattern('svc-*').test('svc-')).toBe(false);
    });

    it('takes the name from extra.name or the last segment of the display name', () => {
      expect(serviceAccountName(account({ displayName: 'system:serviceaccount:payments:svc-payments-api' }))).toBe('svc-payments-api');
      expect(serviceAccountName(account({ displayName: 'arn:aws:iam::123456789012:user/deploy-bot' }))).toBe('deploy-bot');
      expect(serviceAccountName(account({ displayName: 'x', extra: { name: 'svc-a-b' } }))).toBe('svc-a-b');
    });

    it('warns for a badly named account, skips exemptions, and honours a configured regex', () => {
      expect(result('service-account.naming', account({ displayName: 'payments/deploy-bot' }))?.message).toBe(
        'Name "deploy-bot" does not follow the naming convention svc-{team}-{purpose}',
      );
      expect(result('service-account.naming', account({ displayName: 'payments/default' }))).toBeUndefined();
      const custom = DefaultPolicyEngine.create({
        settings: { serviceAccount: { namingRegex: '^(sa|svc)-[a-z]+$' } },
      });
      expect(result('service-account.naming', account({ displayName: 'ns/sa-build' }), custom)).toBeUndefined();
      expect(result('service-account.naming', account({ displayName: 'ns/svc-payments-api' }), custom)).toBeDefined();
    });

    it('rejects an invalid regex at startup', () => {
      expect(() =>
        DefaultPolicyEngine.create({ settings: { serviceAccount: { namingRegex: '(' } } }),
      ).toThrow(/naming pattern is invalid/);
    });
  });

  it('service-account.admin flags administrator permissions', () => {
    expect(result('service-account.admin', account({ admin: true }))?.severity).toBe('warning');
    expect(result('service-account.admin', account({ admin: false }))).toBeUndefined();
  });

  it('service-account.static-keys flags static keys unless workload identity is impossible', () => {
    expect(result('service-account.static-keys', account({ staticKeys: 2 }))?.message).toBe(
      'Service account has 2 long-lived static keys where workload identity is possible',
    );
    expect(result('service-account.static-keys', account({ staticKeys: 1, extra: { workloadIdentityPossible: false } }))).toBeUndefined();
    expect(result('service-account.static-keys', account({ staticKeys: 0 }))).toBeUndefined();
  });
});

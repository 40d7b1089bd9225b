import { type Config, ConfigReader } from '@backstage/config';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import {
  createSshPolicyRules,
  readSshPolicySettings,
} from '@keyring/plugin-machine-identity-backend-module-ssh';
import {
  createTlsPolicyRules,
  readTlsPolicySettings,
} from '@keyring/plugin-machine-identity-backend-module-tls';
import { CORE_POLICY_RULES, PLANNED_RULE_IDS } from './coreRules';
import { DefaultPolicyEngine } from './DefaultPolicyEngine';
import type { PolicyRule } from './PolicyRule';
import { daysFromNow, makeCertificate, makeContext, makeIdentity } from './__fixtures__/identities';

/** A certificate that breaks several rules at once. */
const bad = (overrides: Partial<Identity> = {}) =>
  makeCertificate({
    keyAlgorithm: 'RSA',
    keySize: 1024,
    curve: undefined,
    management: 'manual',
    notBefore: daysFromNow(-400),
    notAfter: daysFromNow(5),
    ...overrides,
  });

const ids = (engine: DefaultPolicyEngine, identity: Identity, context = makeContext()) =>
  engine.evaluate(identity, context).map(r => r.ruleId);

/** The rules the TLS and SSH modules register, thresholds from `config` as the modules read them. */
const moduleRules = (config: Config = new ConfigReader({})) => [
  ...createTlsPolicyRules(readTlsPolicySettings(config)),
  ...createSshPolicyRules(readSshPolicySettings(config)),
];

/** The engine of a backend with the TLS and SSH modules installed. */
const withModules = () => DefaultPolicyEngine.create({ moduleRules: moduleRules() });

function engineFrom(policies: object) {
  const config = new ConfigReader({ machineIdentity: { policies } });
  return DefaultPolicyEngine.fromConfig(config, { moduleRules: moduleRules(config) });
}

/** A rule a module or the core could add: identities whose review is overdue. */
const reviewOverdue: PolicyRule = {
  id: 'any.review-overdue',
  appliesTo: ['tls-certificate', 'ssh-key'],
  defaultSeverity: 'warning',
  description: 'Reviewed on time.',
  parameters: () => ({}),
  evaluate: ({ identity }) =>
    identity.reviewStatus === 'overdue'
      ? { ruleId: 'any.review-overdue', severity: 'warning', message: 'Review overdue', remediation: 'Review it.' }
      : undefined,
};

describe('DefaultPolicyEngine', () => {
  it('reports every rule of the policy table, the modules\' first, with a stable kebab-case id', () => {
    const all = withModules().describe().map(r => r.id);
    expect(all).toEqual([
      'tls.expired', 'tls.expiry', 'tls.validity', 'tls.key-size', 'tls.sha1-signature', 'tls.issuer',
      'tls.self-signed', 'tls.automation',
      'ssh.algorithm', 'ssh.age', 'ssh.shared', 'ssh.unknown-owner',
      'token.lifetime', 'token.storage', 'token.unused', 'token.scope',
      'service-account.naming', 'service-account.admin', 'service-account.static-keys',
      'token.unused-disable', 'token.rotation', 'workload-identity.privileged', 'secret.rotation',
      'any.orphan',
    ]);
    for (const id of [...all, ...PLANNED_RULE_IDS]) {
      expect(id).toMatch(/^[a-z]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it('evaluates rules in order and only those of the identity type', () => {
    expect(ids(withModules(), bad())).toEqual([
      'tls.expiry', 'tls.validity', 'tls.key-size', 'tls.automation',
    ]);
    const ssh = makeIdentity({ type: 'ssh-key', sshKeyType: 'ssh-dss', ownershipRule: 'fallback', notAfter: daysFromNow(-1) });
    expect(ids(withModules(), ssh)).toEqual(['ssh.algorithm', 'ssh.unknown-owner', 'any.orphan']);
  });

  it('has no verdict on gone or revoked identities', () => {
    const engine = withModules();
    expect(ids(engine, bad({ state: 'gone' }))).toEqual([]);
    expect(ids(engine, bad({ state: 'revoked' }))).toEqual([]);
    expect(ids(engine, bad({ state: 'pending-revocation' }))).toContain('tls.key-size');
  });

  it('any.orphan flags identities owned only by the fallback group, for every type', () => {
    const engine = withModules();
    for (const type of ['tls-certificate', 'ssh-key', 'api-token', 'service-account', 'workload-identity'] as const) {
      const result = engine
        .evaluate(makeIdentity({ type, ownershipRule: 'fallback', owner: 'group:default/security' }), makeContext())
        .find(r => r.ruleId === 'any.orphan');
      expect(result?.message).toBe('No owner found: assigned to the fallback group group:default/security');
    }
    expect(ids(engine, makeIdentity({ type: 'workload-identity' }))).toEqual([]);
  });

  it('reads thresholds from machineIdentity.policies', () => {
    const engine = engineFrom({
      tls: { maxValidityDays: { internal: 500 }, expiryWarningDays: [3], expiryWarningLifetimeShare: 0 },
      ssh: { minRsaBits: 2048, maxAgeDays: 30 },
      token: { maxLifetimeDays: 30, broadScopes: ['Everything'] },
      serviceAccount: { namingPattern: 'sa-{purpose}' },
    });
    expect(ids(engine, bad())).toEqual(['tls.key-size', 'tls.automation']);
    expect(ids(engine, bad({ notAfter: daysFromNow(3) }))).toContain('tls.expiry');
    const describe = Object.fromEntries(engine.describe().map(r => [r.id, r.parameters]));
    expect(describe['tls.validity']).toEqual({ maxValidityDays: { public: 90, internal: 500 } });
    expect(describe['ssh.algorithm']).toEqual({
      allowedKeyTypes: ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com'],
      minRsaBits: 2048,
    });
    expect(describe['ssh.age']).toEqual({ maxAgeDays: 30 });
    expect(describe['token.scope']).toEqual({ broadScopes: ['everything'] });
    expect(describe['service-account.naming']).toMatchObject({ namingPattern: 'sa-{purpose}' });
  });

  it('rejects invalid thresholds and unknown rule ids', () => {
    expect(() => engineFrom({ tls: { expiryWarningLifetimeShare: 1.5 } })).toThrow(/\[0, 1\)/);
    expect(() => engineFrom({ ssh: { maxAgeDays: 0 } })).toThrow(/positive/);
    expect(() => engineFrom({ tls: { expiryWarningDays: [30, -1] } })).toThrow(/non-negative/);
    expect(() => engineFrom({ disabledRules: ['tls.keysize'] })).toThrow(/unknown rule "tls.keysize"/);
    expect(() => engineFrom({ rules: [{ id: 'tls.nope' }] })).toThrow(/unknown rule/);
    expect(() => engineFrom({ rules: [{ id: 'any.orphan', types: ['x509'] }] })).toThrow(/unknown type "x509"/);
    expect(() => engineFrom({ rules: [{ id: 'any.orphan' }, { id: 'any.orphan' }] })).toThrow(/twice/);
    expect(() => engineFrom({ rules: [{ id: 'any.orphan', severity: 'fatal' }] })).toThrow(/severity/);
    // Planned rules may be named ahead of time.
    expect(() => engineFrom({ disabledRules: ['any.review-overdue'] })).not.toThrow();
  });

  it('switches rules off through disabledRules or rules[].enabled', () => {
    const engine = engineFrom({
      disabledRules: ['tls.automation'],
      rules: [{ id: 'tls.validity', enabled: false }],
    });
    expect(ids(engine, bad())).toEqual(['tls.expiry', 'tls.key-size']);
    const described = Object.fromEntries(engine.describe().map(r => [r.id, r.enabled]));
    expect(described['tls.automation']).toBe(false);
    expect(described['tls.validity']).toBe(false);
    expect(described['tls.key-size']).toBe(true);
  });

  it('scopes a rule by type, owner and tag', () => {
    const engine = engineFrom({
      rules: [
        { id: 'any.orphan', types: ['ssh-key'] },
        { id: 'tls.key-size', owners: ['payments', 'group:default/Identity'] },
        { id: 'tls.automation', tags: ['pci'], excludeOwners: ['group:default/legacy'] },
        { id: 'tls.validity', excludeTags: ['legacy'], severity: 'error' },
      ],
    });
    const orphanCert = bad({ ownershipRule: 'fallback' });
    expect(ids(engine, orphanCert)).not.toContain('any.orphan');
    expect(ids(engine, makeIdentity({ type: 'ssh-key', ownershipRule: 'fallback', comment: 'x' }))).toContain('any.orphan');

    expect(ids(engine, bad({ owner: 'group:default/payments' }))).toContain('tls.key-size');
    expect(ids(engine, bad({ owner: 'group:default/identity' }))).toContain('tls.key-size');
    expect(ids(engine, bad({ owner: 'group:default/search' }))).not.toContain('tls.key-size');
    expect(ids(engine, bad({ owner: undefined }))).not.toContain('tls.key-size');

    expect(ids(engine, bad(), makeContext({ tags: ['PCI'] }))).toContain('tls.automation');
    expect(ids(engine, bad())).not.toContain('tls.automation');
    expect(ids(engine, bad({ owner: 'group:default/legacy' }), makeContext({ tags: ['pci'] }))).not.toContain('tls.automation');

    const validity = engine.evaluate(bad(), makeContext()).find(r => r.ruleId === 'tls.validity');
    expect(validity?.severity).toBe('error');
    expect(ids(engine, bad(), makeContext({ tags: ['legacy'] }))).not.toContain('tls.validity');

    const described = Object.fromEntries(engine.describe().map(r => [r.id, r]));
    expect(described['any.orphan'].appliesTo).toEqual(['ssh-key']);
    expect(described['tls.key-size'].scope?.owners).toEqual(['payments', 'group:default/Identity']);
    expect(described['tls.validity'].severity).toBe('error');
  });

  it('accepts extra rules, e.g. a planned review rule, after the core\'s', () => {
    const engine = DefaultPolicyEngine.fromConfig(new ConfigReader({}), { extraRules: [reviewOverdue] });
    expect(ids(engine, makeCertificate({ reviewStatus: 'overdue' }))).toEqual(['any.review-overdue']);
    expect(engine.describe().map(r => r.id)).toEqual([...CORE_POLICY_RULES.map(r => r.id), 'any.review-overdue']);
    expect(engine.knowsRule('any.review-overdue')).toBe(true);
    expect(engine.knowsRule('tls.nope')).toBe(false);
  });

  it('without the TLS and SSH modules has only the core\'s rules: none for a bad certificate but any.orphan', () => {
    const core = DefaultPolicyEngine.create();
    expect(core.describe().map(r => r.id).filter(id => /^(tls|ssh)\./.test(id))).toEqual([]);
    expect(ids(core, bad())).toEqual([]);
    expect(ids(core, bad({ ownershipRule: 'fallback' }))).toEqual(['any.orphan']);
    expect(core.knowsRule('tls.expired')).toBe(false);
    // Naming a rule no installed module provides fails, saying so.
    expect(() => DefaultPolicyEngine.fromConfig(new ConfigReader({ machineIdentity: { policies: { disabledRules: ['tls.automation'] } } }))).toThrow(
      'machineIdentity.policies.disabledRules names an unknown rule "tls.automation" (no installed module provides tls.* rules)',
    );
    // A typo in an installed family has no such hint.
    expect(() => engineFrom({ rules: [{ id: 'tls.keysize' }] })).toThrow(/unknown rule "tls.keysize"$/);
  });

  it('refuses two rules with one id, whether from two modules or a module and the core', () => {
    const twin = { ...reviewOverdue, id: 'tls.expired' };
    expect(() => DefaultPolicyEngine.create({ moduleRules: [...moduleRules(), twin] })).toThrow(
      'Policy rule "tls.expired" is defined twice: every rule id (core or module) must be unique',
    );
    expect(() => DefaultPolicyEngine.create({ moduleRules: [{ ...reviewOverdue, id: 'any.orphan' }] })).toThrow(/"any.orphan" is defined twice/);
    expect(() => DefaultPolicyEngine.create({ moduleRules: [reviewOverdue], extraRules: [reviewOverdue] })).toThrow(/defined twice/);
  });
});

import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { type PolicyRule, machineIdentityPolicyRulesExtensionPoint } from '@keyring/plugin-machine-identity-node';
import { startTestPlugin } from '../__testUtils__/startTestPlugin';
import { discovery, scanPlans, yields } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** A module's own rule: test keys named `legacy-*` are flagged. */
const legacyName: PolicyRule = {
  id: 'test.legacy-name',
  appliesTo: ['tls-certificate', 'ssh-key'],
  defaultSeverity: 'warning',
  description: 'Identities are not named legacy-*.',
  parameters: () => ({ prefix: 'legacy-' }),
  evaluate: ({ identity }) =>
    identity.displayName.startsWith('legacy-')
      ? { ruleId: 'test.legacy-name', severity: 'warning', message: `${identity.displayName} is a legacy name`, remediation: 'Rename it.' }
      : undefined,
};

/** A module that registers `rule` through the extension point. */
const moduleAdding = (moduleId: string, rule: PolicyRule) =>
  createBackendModule({
    pluginId: 'machine-identity',
    moduleId,
    register(env) {
      env.registerInit({
        deps: { rules: machineIdentityPolicyRulesExtensionPoint },
        async init({ rules }) {
          rules.addPolicyRule(rule);
        },
      });
    },
  });

const rulesModule = moduleAdding('test-rules', legacyName);

/** An SSH DSA key, which ssh.algorithm flags as an error. */
const dsaKey = discovery(3, { type: 'ssh-key', attributes: { sshKeyType: 'ssh-dss', keySize: 1024, comment: 'ci@build' } });

/** A certificate that breaks most tls.* rules (expired, RSA 1024, SHA-1, self-signed, manual). */
const brokenCertificate = discovery(1, {
  type: 'tls-certificate',
  attributes: {
    subject: 'CN=broken.example.test',
    keyAlgorithm: 'RSA',
    keySize: 1024,
    signatureAlgorithm: 'sha1WithRSAEncryption',
    notBefore: '2020-01-01T00:00:00.000Z',
    notAfter: '2021-01-01T00:00:00.000Z',
    selfSigned: true,
  },
});

describe('machineIdentityPolicyRulesExtensionPoint', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'adds a module\'s rule to the engine: described by GET /policy, configurable, evaluated in scans (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, get } = await startTestPlugin(
        knex,
        [],
        { policies: { rules: [{ id: 'test.legacy-name', severity: 'error' }] } },
        [rulesModule],
      );
      try {
        const policy = (await get('/policy')).body;
        expect(policy.find((r: any) => r.id === 'test.legacy-name')).toMatchObject({ enabled: true, parameters: { prefix: 'legacy-' } });

        scanPlans.set('alpha', yields(discovery(1, { displayName: 'legacy-1.example.test' }), discovery(2)));
        await scan('alpha');
        const violations = (await get('/violations?ruleId=test.legacy-name')).body.items;
        expect(violations).toEqual([
          expect.objectContaining({ identityDisplayName: 'legacy-1.example.test', severity: 'error', message: 'legacy-1.example.test is a legacy name' }),
        ]);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'a backend without the TLS and SSH modules has no tls.* or ssh.* rules: none described, none evaluated, their config keys ignored (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, get } = await startTestPlugin(
        knex,
        [],
        { policies: { tls: { minRsaBits: 4096 }, ssh: { maxAgeDays: 1 } } },
        [],
        { typeModules: false },
      );
      try {
        const ids: string[] = (await get('/policy')).body.map((r: any) => r.id);
        expect(ids).toContain('any.orphan');
        expect(ids.filter(id => /^(tls|ssh)\./.test(id))).toEqual([]);

        scanPlans.set('alpha', yields(brokenCertificate, dsaKey));
        await scan('alpha');
        const violations = (await get('/violations?limit=100')).body.items;
        expect(violations.map((v: any) => v.ruleId).sort()).toEqual(['any.orphan', 'any.orphan']);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'with the real TLS and SSH modules (startTestPlugin\'s default) the same identities get the modules\' rules, thresholds from the modules\' config keys (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, get } = await startTestPlugin(
        knex,
        [],
        { policies: { tls: { minRsaBits: 4096 }, ssh: { maxAgeDays: 1 } } },
      );
      try {
        const policy = new Map<string, any>((await get('/policy')).body.map((r: any) => [r.id, r]));
        expect(policy.get('tls.key-size')?.parameters).toEqual({ minRsaBits: 4096, minEcdsaBits: 256 });
        expect(policy.get('ssh.age')?.parameters).toEqual({ maxAgeDays: 1 });

        scanPlans.set('alpha', yields(brokenCertificate, dsaKey));
        await scan('alpha');
        const violations = (await get('/violations?limit=100')).body.items;
        const of = (name: string) => violations.filter((v: any) => v.identityDisplayName === name).map((v: any) => v.ruleId).sort();
        expect(of(brokenCertificate.displayName)).toEqual(['any.orphan', 'tls.automation', 'tls.expired', 'tls.key-size', 'tls.sha1-signature', 'tls.validity']);
        expect(of(dsaKey.displayName)).toEqual(['any.orphan', 'ssh.algorithm']);
        expect(violations.find((v: any) => v.ruleId === 'tls.key-size').message).toBe('RSA key of 1024 bits is below the 4096-bit minimum');
      } finally {
        await backend.stop();
      }
    },
  );

  it('refuses a rule id registered by two modules, or by a module and the core, at startup', async () => {
    const knex = await databases.init('SQLITE_3');
    const twin = moduleAdding('test-rules-twin', { ...legacyName, description: 'Another rule with the same id.' });
    await expect(startTestPlugin(knex, [], {}, [rulesModule, twin])).rejects.toThrow(
      /Policy rule "test.legacy-name" is already registered by the core or another module; rule ids must be unique/,
    );
    const shadow = moduleAdding('test-orphan', { ...legacyName, id: 'any.orphan' });
    await expect(startTestPlugin(knex, [], {}, [shadow])).rejects.toThrow(/Policy rule "any.orphan" is already registered/);
  });
});

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

const rulesModule = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'test-rules',
  register(env) {
    env.registerInit({
      deps: { rules: machineIdentityPolicyRulesExtensionPoint },
      async init({ rules }) {
        rules.addPolicyRule(legacyName);
      },
    });
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
});

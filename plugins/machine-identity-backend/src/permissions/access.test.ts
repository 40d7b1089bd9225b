import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult, isResourcePermission } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  MACHINE_IDENTITY_RESOURCE_TYPE,
  machineIdentityDetailsReadPermission,
} from '@keyring/plugin-machine-identity-common';
import request from 'supertest';
import { realPermissionServices, userInfoFromTable } from '../__testUtils__/permissionTestServices';
import { discovery, scanPlans, testScannerModule, yields } from '../__testUtils__/testScannerModule';
import { typeRuleModules } from '../__testUtils__/typeRuleModules';
import { machineIdentityPlugin } from '../plugin';
import { createMachineIdentityConditionalDecision, machineIdentityConditions } from './rules';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const API = '/api/machine-identity';
const GROUPS: Record<string, string[]> = {
  'user:default/alice': ['user:default/alice', 'group:default/payments'],
  'user:default/sam': ['user:default/sam', 'group:default/search'],
};
const ALICE = mockCredentials.user.header('user:default/alice');
const SAM = mockCredentials.user.header('user:default/sam');
const SERVICE = mockCredentials.service.header();

/**
 * A per-team policy: the search team reads SSH keys only; everyone else reads
 * their teams' identities and the orphans; details are for the owning team.
 */
const perTeamPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'per-team-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            if (!user || !isResourcePermission(req.permission, MACHINE_IDENTITY_RESOURCE_TYPE)) {
              return { result: AuthorizeResult.ALLOW };
            }
            const claims = user.info.ownershipEntityRefs;
            const { isOwner, isOrphan, hasType } = machineIdentityConditions;
            if (req.permission.name === machineIdentityDetailsReadPermission.name) {
              return createMachineIdentityConditionalDecision(req.permission, isOwner({ claims }));
            }
            if (claims.includes('group:default/search')) {
              return createMachineIdentityConditionalDecision(req.permission, hasType({ types: ['ssh-key'] }));
            }
            return createMachineIdentityConditionalDecision(req.permission, {
              anyOf: [isOwner({ claims }), isOrphan()],
            });
          },
        });
      },
    });
  },
});

/** 1 and 4: payments' TLS and SSH; 2: search's TLS certificate; 3: an orphan SSH key. Weak RSA keys violate tls.key-size. */
const inventory = yields(
  discovery(1, { type: 'tls-certificate', attributes: { keyAlgorithm: 'rsa', keySize: 1024 }, ownerHint: { owner: 'group:default/payments', via: 'test' } }),
  discovery(2, { type: 'tls-certificate', attributes: { keyAlgorithm: 'rsa', keySize: 1024 }, ownerHint: { owner: 'group:default/search', via: 'test' } }),
  discovery(3, { type: 'ssh-key' }),
  discovery(4, { type: 'ssh-key', ownerHint: { owner: 'group:default/payments', via: 'test' } }),
);

describe('machine-identity permissions with the real permission backend', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'filters identities, violations and changes by the policy conditions instead of refusing, and hides or restricts details (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          machineIdentityPlugin,
          testScannerModule,
          ...typeRuleModules,
          ...realPermissionServices,
          perTeamPolicy,
          userInfoFromTable(GROUPS),
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              permission: { enabled: true },
              machineIdentity: {
                fallbackOwner: 'group:default/security',
                sources: [{ id: 'alpha', type: 'test', schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } }],
              },
            },
          }),
        ],
      });
      const http = request(backend.server);
      const get = (path: string, auth: string) => http.get(`${API}${path}`).set('Authorization', auth);
      try {
        scanPlans.set('alpha', inventory);
        const started = await http.post(`${API}/sources/alpha/scan`).set('Authorization', SERVICE);
        expect(started.status).toBe(202);
        for (let i = 0; i < 200 && (await get(`/scans/${started.body.scanId}`, SERVICE)).body.status === 'running'; i++) {
          await new Promise(r => setTimeout(r, 50));
        }
        const all = (await get('/identities', SERVICE)).body.items as Array<{ id: string; displayName: string }>;
        expect(all).toHaveLength(4);
        const idOf = (n: number) => all.find(i => i.displayName === `identity-${n}.example.test`)!.id;
        const names = (items: Array<{ displayName?: string; identityDisplayName?: string }>) =>
          items.map(i => (i.displayName ?? i.identityDisplayName)!.replace(/^identity-(\d+)\.example\.test$/, '$1')).sort();

        // alice (payments): her team's identities and the orphan; not search's
        const aliceList = await get('/identities', ALICE);
        expect(aliceList.status).toBe(200);
        expect(names(aliceList.body.items)).toEqual(['1', '3', '4']);
        expect(names((await get('/identities?type=ssh-key', ALICE)).body.items)).toEqual(['3', '4']);
        const aliceViolations = await get('/violations', ALICE);
        expect(aliceViolations.status).toBe(200);
        expect(aliceViolations.body.items.length).toBeGreaterThan(0);
        expect(new Set(aliceViolations.body.items.map((v: any) => v.identityId))).not.toContain(idOf(2));
        expect((await get('/violations?ruleId=tls.key-size', ALICE)).body.items.map((v: any) => v.identityId)).toEqual([idOf(1)]);
        const aliceChanges = await get('/changes?since=0', ALICE);
        expect(aliceChanges.status).toBe(200);
        expect(names(aliceChanges.body.items)).toEqual(['1', '3', '4']);

        // details: hers in full, the orphan restricted (readable, not hers), search's as unknown
        const own = await get(`/identities/${idOf(1)}`, ALICE);
        expect(own.status).toBe(200);
        expect(own.body.restricted).toBeUndefined();
        expect(own.body.observations).toHaveLength(1);
        expect(own.body.violations.map((v: any) => v.ruleId)).toContain('tls.key-size');
        const orphan = await get(`/identities/${idOf(3)}`, ALICE);
        expect(orphan.status).toBe(200);
        expect(orphan.body).toMatchObject({ restricted: true, observations: [], violations: [], history: [] });
        const hidden = await get(`/identities/${idOf(2)}`, ALICE);
        expect(hidden.status).toBe(404);
        expect(hidden.body.error.name).toBe('NotFoundError');

        // sam (search team): hasType ssh-key only
        expect(names((await get('/identities', SAM)).body.items)).toEqual(['3', '4']);
        expect((await get(`/identities/${idOf(2)}`, SAM)).status).toBe(404);
        expect((await get('/violations?ruleId=tls.key-size', SAM)).body.items).toEqual([]);

        // service principals (the catalog's feed reader) see everything
        expect(names((await get('/changes?since=0', SERVICE)).body.items)).toEqual(['1', '2', '3', '4']);
      } finally {
        await backend.stop();
      }
    },
  );
});

import {
  type BackstageCredentials,
  coreServices,
  createServiceFactory,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { createMachineIdentityConditionalDecision, machineIdentityConditions } from '../../permissions/rules';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { discovery, scanPlans, testScannerModule, yields } from '../../__testUtils__/testScannerModule';
import { typeRuleModules } from '../../__testUtils__/typeRuleModules';
import { machineIdentityPlugin } from '../../plugin';

export const API = '/api/machine-identity';

/**
 * The test org: team → members; every team's parent is `acme`, whose only
 * member is `ceo`. gina is in payments and identity (separation-of-duties cases).
 */
export const TEAMS: Record<string, string[]> = {
  payments: ['bob', 'frank', 'gina'],
  identity: ['carol', 'gina'],
  billing: ['dave'],
  security: ['erin'],
  acme: ['ceo'],
};

/** Users allowed to open campaigns in the test policy. */
export const ADMINS = ['user:default/erin'];

/** Users whose `machine-identity.read` is conditional: only their Groups' identities (isOwner). */
export const OWN_TEAM_READERS = ['user:default/dave'];

function groupEntity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [], ...(name === 'acme' ? {} : { parent: 'acme' }) },
    relations: TEAMS[name].map(m => ({ type: 'hasMember', targetRef: `user:default/${m}` })),
  };
}

function userEntity(name: string): Entity {
  const teams = Object.keys(TEAMS).filter(team => TEAMS[team].includes(name));
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: teams },
    relations: teams.map(team => ({ type: 'memberOf', targetRef: `group:default/${team}` })),
  };
}

/** Group refs a user belongs to, plus the user itself (what `userInfo` returns for a real token). */
export function ownershipOf(userRef: string): string[] {
  const name = userRef.replace('user:default/', '');
  return [
    userRef,
    ...Object.entries(TEAMS)
      .filter(([, members]) => members.includes(name))
      .map(([team]) => `group:default/${team}`),
  ];
}

/** `userInfo` answering the test org's memberships. */
const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const principal = credentials.principal as { type: string; userEntityRef?: string };
      if (principal.type !== 'user') throw new Error('not a user');
      return { userEntityRef: principal.userEntityRef!, ownershipEntityRefs: ownershipOf(principal.userEntityRef!) };
    },
  }),
});

/** The portal's rule for campaigns: only admins open them; everything else is allowed here. */
const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => {
    const decide = (requests: Array<{ permission: { name: string } }>, options: { credentials: BackstageCredentials }) => {
      const principal = options.credentials.principal as { userEntityRef?: string };
      const user = principal.userEntityRef ?? '';
      return requests.map(r => {
        if (r.permission.name === 'machine-identity.read' && OWN_TEAM_READERS.includes(user)) {
          return createMachineIdentityConditionalDecision(r.permission as any, machineIdentityConditions.isOwner({ claims: ownershipOf(user) }));
        }
        return {
          result:
            r.permission.name === 'machine-identity.review.campaign.create' && !ADMINS.includes(user)
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        };
      });
    };
    return { authorize: async (r: any, o: any) => decide(r, o), authorizeConditional: async (r: any, o: any) => decide(r, o) } as any;
  },
});

/**
 * The plugin database under test for machine-identity; every other plugin
 * (the notifications backend) gets its own in-memory SQLite database, so
 * their migrations never meet.
 */
function databaseFactory(knex: Knex) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) => {
      const client =
        plugin.getId() === 'machine-identity'
          ? knex
          : knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
      return { getClient: async () => client };
    },
  });
}

/** `n` identities owned by `team` through source metadata (`index` offsets the keys). */
export function ownedBy(team: string | undefined, count: number, offset: number): MachineIdentityDiscovery[] {
  return Array.from({ length: count }, (_, i) =>
    discovery(offset + i, team ? { ownerHint: { owner: `group:default/${team}`, via: 'test metadata' } } : {}),
  );
}

/**
 * A real backend: the machine-identity plugin (with the revocation workflow),
 * the notifications backend, a catalog with the test org, the test scanner,
 * and users from {@link TEAMS}. Background tasks run only when a test
 * triggers them.
 */
export async function startReviewsBackend(knex: Knex, config: Record<string, unknown> = {}) {
  const scheduler = mockServices.scheduler() as SchedulerService & {
    factory(options: { skipTaskRunOnStartup: boolean }): any;
  };
  const entities = [
    ...Object.keys(TEAMS).map(groupEntity),
    ...[...new Set(Object.values(TEAMS).flat())].map(userEntity),
  ];
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      ...typeRuleModules,
      import('@backstage/plugin-notifications-backend'),
      databaseFactory(knex),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      scheduler.factory({ skipTaskRunOnStartup: true }),
      userInfoFactory,
      permissionsFactory,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            sources: [{ id: 'alpha', type: 'test', schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } }],
            ...config,
          },
        },
      }),
    ],
  });
  const http = request(backend.server);
  const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);
  const get = (path: string, user = 'bob') => http.get(`${API}${path}`).set('Authorization', as(user));
  const post = (path: string, body: unknown, user = 'bob') =>
    http.post(`${API}${path}`).set('Authorization', as(user)).send(body as object);
  const scan = async (items: MachineIdentityDiscovery[]) => {
    scanPlans.set('alpha', yields(...items));
    const res = await post('/sources/alpha/scan', {}, 'erin');
    if (res.status !== 202) throw new Error(`scan not started: ${res.status} ${JSON.stringify(res.body)}`);
    for (let i = 0; i < 400; i++) {
      const run = await get(`/scans/${res.body.scanId}`);
      if (run.body.status !== 'running') return run.body;
      await new Promise(r => setTimeout(r, 25));
    }
    throw new Error('scan did not finish');
  };
  const inbox = async (user: string) => {
    const res = await http.get('/api/notifications/notifications').set('Authorization', as(user));
    return res.body.notifications as Array<{ payload: Record<string, any> }>;
  };
  const openCampaign = async (owner: string, dueInDays?: number) => {
    const res = await post('/reviews/campaigns', { owner: `group:default/${owner}`, dueInDays }, 'erin');
    if (res.status !== 201) throw new Error(`campaign not opened: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.items[0] as { id: string; progress: { total: number } };
  };
  const items = async (campaignId: string, query = '') =>
    (await get(`/reviews/campaigns/${campaignId}?limit=1000${query}`)).body.items as Array<Record<string, any>>;
  return {
    backend,
    http,
    get,
    post,
    scan,
    inbox,
    openCampaign,
    items,
    runReviewsTask: () => scheduler.triggerTask('machine-identity-reviews'),
    stop: async () => {
      scanPlans.clear();
      await backend.stop();
    },
  };
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DatabaseService,
  type SchedulerService,
  type ServiceFactory,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { seedKnownInventory } from '../../machine-identity-backend/src/facts/__fixtures__/knownInventory';
import techInsightsModuleMachineIdentity from './index';

const AUTH = mockCredentials.user.header();

const CATALOG = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: payments }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: security }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: payments-api }
spec: { type: service, lifecycle: production, owner: group:default/payments }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: legacy }
spec: { type: service, lifecycle: production, owner: group:default/security }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: empty }
spec: { type: service, lifecycle: experimental, owner: group:default/payments }
`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/**
 * Each plugin its own database, as in a real backend: the machine-identity
 * plugin on the database under test, the catalog and Tech Insights on SQLite.
 */
function databasePerPlugin(machineIdentity: Knex) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    async factory({ plugin }): Promise<DatabaseService> {
      const client = plugin.getId() === 'machine-identity' ? machineIdentity : await databases.init('SQLITE_3');
      return { getClient: async () => client };
    },
  });
}

async function startPortal(databaseId: Parameters<typeof databases.init>[0]) {
  const machineIdentityKnex = await databases.init(databaseId);
  const dir = mkdtempSync(join(tmpdir(), 'keyring-scorecard-'));
  writeFileSync(join(dir, 'catalog.yaml'), CATALOG);
  // one mock scheduler for every plugin: nothing runs until the test triggers it
  const scheduler = mockServices.scheduler() as SchedulerService & {
    factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
  };
  const backend = await startTestBackend({
    features: [
      import('@backstage/plugin-catalog-backend'),
      import('@backstage-community/plugin-tech-insights-backend'),
      techInsightsModuleMachineIdentity,
      import('@keyring/plugin-machine-identity-backend'),
      databasePerPlugin(machineIdentityKnex),
      scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['Component', 'Group', 'Location'] }],
            locations: [{ type: 'file', target: join(dir, 'catalog.yaml') }],
          },
          techInsights: { factRetrievers: { machineIdentityFactRetriever: { cadence: '0 3 * * *' } } },
          machineIdentity: { fallbackOwner: 'group:default/security' },
        },
      }),
    ],
  });
  const http = request(backend.server);
  // wait until the real catalog has processed the known catalog
  for (let i = 0; ; i++) {
    const res = await http.get('/api/catalog/entities/by-query?filter=kind=component,kind=group').set('Authorization', AUTH);
    if (res.status === 200 && res.body.items.length === 5) break;
    if (i > 300) throw new Error(`catalog did not process the known catalog: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await new Promise(r => setTimeout(r, 100));
  }
  await seedKnownInventory(machineIdentityKnex, new Date());
  await scheduler.triggerTask('machineIdentityFactRetriever');
  const stop = async () => {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { http, stop };
}

const FACT_NAMES = [
  'identitiesTotal', 'tlsCertificates', 'sshKeys', 'apiTokens', 'serviceAccounts', 'workloadIdentities', 'secrets',
  'errorViolations', 'warningViolations', 'infoViolations', 'expiredCredentials', 'expiringWithin7Days',
  'expiringWithin30Days', 'automatedShare', 'orphanedIdentities', 'readiness47DayShare',
  'reviewCompletedThisQuarter', 'revocationsOpenPastDue',
];
const zeroFacts = {
  identitiesTotal: 0, tlsCertificates: 0, sshKeys: 0, apiTokens: 0, serviceAccounts: 0, workloadIdentities: 0, secrets: 0,
  errorViolations: 0, warningViolations: 0, infoViolations: 0, expiredCredentials: 0, expiringWithin7Days: 0,
  expiringWithin30Days: 0, automatedShare: 1, orphanedIdentities: 0, readiness47DayShare: 1,
  reviewCompletedThisQuarter: true, revocationsOpenPastDue: 0,
};
const paymentsApiFacts = {
  ...zeroFacts, identitiesTotal: 6, tlsCertificates: 4, sshKeys: 1, apiTokens: 1, errorViolations: 1, warningViolations: 1,
  expiredCredentials: 1, expiringWithin7Days: 1, expiringWithin30Days: 2, automatedShare: 4 / 6, readiness47DayShare: 0.5,
  reviewCompletedThisQuarter: false, revocationsOpenPastDue: 2,
};
const EXPECTED: Record<string, Record<string, unknown>> = {
  'component:default/payments-api': paymentsApiFacts,
  'group:default/payments': {
    ...paymentsApiFacts, identitiesTotal: 7, tlsCertificates: 5, automatedShare: 4 / 7, readiness47DayShare: 2 / 5,
    reviewCompletedThisQuarter: true,
  },
  'group:default/security': {
    ...zeroFacts, identitiesTotal: 1, sshKeys: 1, infoViolations: 1, automatedShare: 0, orphanedIdentities: 1,
    reviewCompletedThisQuarter: false, revocationsOpenPastDue: 1,
  },
  'component:default/legacy': {
    ...zeroFacts, identitiesTotal: 1, workloadIdentities: 1, orphanedIdentities: 1, reviewCompletedThisQuarter: false,
  },
  'component:default/empty': zeroFacts,
};
/** Check id → whether it passes, per entity. */
const EXPECTED_CHECKS: Record<string, Record<string, boolean>> = {
  'component:default/payments-api': { 'no-expired': false, 'none-expiring-7-days': false, 'no-error-violations': false, 'no-orphans': true, 'review-this-quarter': false, 'automated-80': false, 'no-overdue-revocations': false },
  'group:default/payments': { 'no-expired': false, 'none-expiring-7-days': false, 'no-error-violations': false, 'no-orphans': true, 'review-this-quarter': true, 'automated-80': false, 'no-overdue-revocations': false },
  'group:default/security': { 'no-expired': true, 'none-expiring-7-days': true, 'no-error-violations': true, 'no-orphans': false, 'review-this-quarter': false, 'automated-80': false, 'no-overdue-revocations': false },
  'component:default/legacy': { 'no-expired': true, 'none-expiring-7-days': true, 'no-error-violations': true, 'no-orphans': false, 'review-this-quarter': false, 'automated-80': true, 'no-overdue-revocations': true },
  'component:default/empty': { 'no-expired': true, 'none-expiring-7-days': true, 'no-error-violations': true, 'no-orphans': true, 'review-this-quarter': true, 'automated-80': true, 'no-overdue-revocations': true },
};

describe.each(databases.eachSupportedId())('techInsightsModuleMachineIdentity in a real Tech Insights backend (machine-identity on %s)', databaseId => {
  let portal: Awaited<ReturnType<typeof startPortal>>;
  beforeAll(async () => {
    portal = await startPortal(databaseId);
  });
  afterAll(() => portal?.stop());

  it('publishes every fact of every Component and Group of the catalog, read back through the facts API', async () => {
    for (const [entity, expected] of Object.entries(EXPECTED)) {
      const res = await portal.http
        .get('/api/tech-insights/facts/latest')
        .query({ entity, ids: 'machineIdentityFactRetriever' })
        .set('Authorization', AUTH);
      expect(res.status).toBe(200);
      const facts = res.body.machineIdentityFactRetriever.facts;
      expect(Object.keys(facts).sort()).toEqual([...FACT_NAMES].sort());
      expect({ entity, ...facts }).toEqual({ entity, ...expected });
    }
  });

  it('serves the fact schema and the seven default checks without any check configuration', async () => {
    const schemas = await portal.http.get('/api/tech-insights/fact-schemas').set('Authorization', AUTH);
    expect(schemas.status).toBe(200);
    const ours = schemas.body.find((schema: object) => 'readiness47DayShare' in schema);
    const factNames = Object.keys(ours).filter(key => typeof ours[key]?.type === 'string');
    expect(factNames.sort()).toEqual([...FACT_NAMES].sort());
    expect(ours.readiness47DayShare.type).toBe('float');

    const checks = await portal.http.get('/api/tech-insights/checks').set('Authorization', AUTH);
    expect(checks.status).toBe(200);
    expect(checks.body.map((c: any) => c.id)).toEqual(
      Object.keys(EXPECTED_CHECKS['component:default/empty']).map(id => `machine-identity-${id}`),
    );
  });

  it('runs the default checks through the check-results API, per entity and in bulk', async () => {
    for (const [entity, expected] of Object.entries(EXPECTED_CHECKS)) {
      const [kind, rest] = entity.split(':');
      const [namespace, name] = rest.split('/');
      const res = await portal.http
        .post(`/api/tech-insights/checks/run/${namespace}/${kind}/${name}`)
        .set('Authorization', AUTH)
        .send({});
      expect(res.status).toBe(200);
      const results = Object.fromEntries(
        res.body.map((r: any) => [r.check.id.replace('machine-identity-', ''), r.result]),
      );
      expect({ entity, results }).toEqual({ entity, results: expected });
    }
    const bulk = await portal.http
      .post('/api/tech-insights/checks/run')
      .set('Authorization', AUTH)
      .send({ entities: Object.keys(EXPECTED_CHECKS) });
    expect(bulk.status).toBe(200);
    expect(bulk.body.map((b: any) => [b.entity, b.results.filter((r: any) => !r.result).length])).toEqual(
      Object.entries(EXPECTED_CHECKS).map(([entity, checks]) => [entity, Object.values(checks).filter(v => !v).length]),
    );
  });
});

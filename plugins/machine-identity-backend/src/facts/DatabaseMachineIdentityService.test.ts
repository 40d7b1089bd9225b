import { TestDatabases } from '@backstage/backend-test-utils';
import { IDENTITY_TYPES } from '@keyring/plugin-machine-identity-common';
import { DatabaseMachineIdentityService } from './DatabaseMachineIdentityService';
import { NOW, migrateInventory, seedKnownInventory } from './__fixtures__/knownInventory';
import { quarterStart } from './GovernanceFactsQuery';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const none = Object.fromEntries(IDENTITY_TYPES.map(t => [t, 0]));
/** An entity's facts when it has no identities; each expectation lists what differs. */
const zero = {
  identitiesTotal: 0,
  byType: none,
  violationsBySeverity: { error: 0, warning: 0, info: 0 },
  expired: 0,
  expiringWithin7Days: 0,
  expiringWithin30Days: 0,
  automated: 0,
  automatedShare: 1,
  orphaned: 0,
  readiness47DayCertificates: 0,
  readiness47DayShare: 1,
  reviewCompletedThisQuarter: true,
  revocationsOpenPastDue: 0,
};

const paymentsApi = {
  ...zero,
  entityRef: 'component:default/payments-api',
  identitiesTotal: 6,
  byType: { ...none, 'tls-certificate': 4, 'ssh-key': 1, 'api-token': 1 },
  violationsBySeverity: { error: 1, warning: 1, info: 0 },
  expired: 1,
  expiringWithin7Days: 1,
  expiringWithin30Days: 2,
  automated: 4,
  automatedShare: 4 / 6,
  readiness47DayCertificates: 2,
  readiness47DayShare: 0.5,
  reviewCompletedThisQuarter: false, // a7 was not in the campaign
  revocationsOpenPastDue: 2, // r1 approval overdue, r3 grace over
};

describe('DatabaseMachineIdentityService', () => {
  it.each(databases.eachSupportedId())(
    'computes every fact of Components and Groups of a known inventory (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateInventory(knex);
      await seedKnownInventory(knex);
      const service = DatabaseMachineIdentityService.create(knex);

      const facts = await service.getEntityFacts(
        ['component:default/payments-api', 'group:default/payments', 'Group:default/Security', 'component:default/legacy', 'component:default/empty'],
        { now: NOW },
      );

      expect(facts).toEqual([
        paymentsApi,
        {
          ...paymentsApi,
          entityRef: 'group:default/payments', // payments-api's identities and b1
          identitiesTotal: 7,
          byType: { ...none, 'tls-certificate': 5, 'ssh-key': 1, 'api-token': 1 },
          automatedShare: 4 / 7,
          readiness47DayShare: 2 / 5,
          reviewCompletedThisQuarter: true,
        },
        {
          ...zero,
          entityRef: 'Group:default/Security',
          identitiesTotal: 1,
          byType: { ...none, 'ssh-key': 1 },
          violationsBySeverity: { error: 0, warning: 0, info: 1 },
          automatedShare: 0,
          orphaned: 1,
          reviewCompletedThisQuarter: false, // its campaign completed last quarter
          revocationsOpenPastDue: 1, // r4 manual task untouched for 8 days
        },
        {
          ...zero,
          entityRef: 'component:default/legacy',
          identitiesTotal: 1,
          byType: { ...none, 'workload-identity': 1 },
          automated: 1,
          orphaned: 1,
          reviewCompletedThisQuarter: false,
        },
        {
          ...zero,
          entityRef: 'component:default/empty',
        },
      ]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'reports review and revocation facts as unknown where those tables do not exist (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.schema.createTable('identities', t => {
        for (const c of ['id', 'type', 'state', 'management', 'owner', 'component', 'ownership_rule', 'not_after', 'attributes']) t.string(c);
        t.integer('violation_count');
      });
      await knex.schema.createTable('violations', t => {
        for (const c of ['identity_id', 'severity', 'resolved_at']) t.string(c);
      });
      const [facts] = await DatabaseMachineIdentityService.create(knex).getEntityFacts(['group:default/payments'], { now: NOW });
      expect(facts).not.toHaveProperty('reviewCompletedThisQuarter');
      expect(facts).not.toHaveProperty('revocationsOpenPastDue');
      expect(facts.identitiesTotal).toBe(0);
      await knex.destroy();
    },
  );

  it('rejects refs that are neither Components nor Groups', async () => {
    const knex = await databases.init('SQLITE_3');
    await expect(
      DatabaseMachineIdentityService.create(knex).getEntityFacts(['user:default/alice']),
    ).rejects.toMatchObject({ name: 'InputError' });
    await knex.destroy();
  });

  it('starts quarters on the first of January, April, July and October (UTC)', () => {
    expect(quarterStart(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(quarterStart(new Date('2027-01-01T00:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(quarterStart(new Date('2027-06-30T12:00:00Z')).toISOString()).toBe('2027-04-01T00:00:00.000Z');
  });
});

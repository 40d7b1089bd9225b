import {
  type SchedulerService,
  type ServiceFactory,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  type NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { discovery, scanPlans, testScannerModule, yields } from '../__testUtils__/testScannerModule';
import { machineIdentityPlugin } from '../plugin';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();
const DIGEST_TASK = 'machine-identity-expiry-digest';

describe('DatabaseDigestStore', () => {
  it.each(databases.eachSupportedId())(
    'claims (owner, day, kind) once until released (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const ledger = (await DatabaseInventoryStores.fromKnex(knex)).digests;
      const claim = { owner: 'group:default/payments', day: '2026-11-20', kind: 'digest' as const };
      const at = '2026-11-20T08:00:00.000Z';
      expect(await ledger.claim({ ...claim, itemCount: 3, at })).toBe(true);
      expect(await ledger.claim({ ...claim, itemCount: 4, at })).toBe(false);
      expect(await ledger.claim({ ...claim, kind: 'escalation', itemCount: 1, at })).toBe(true);
      expect(await ledger.claim({ ...claim, day: '2026-11-21', itemCount: 1, at })).toBe(true);
      expect(await knex('notification_digests').where(claim).first()).toMatchObject({ sent_at: at, item_count: 3 });

      // concurrent claims of the same key: exactly one wins
      const other = { owner: 'group:default/billing', day: '2026-11-20', kind: 'digest' as const };
      const wins = await Promise.all(Array.from({ length: 8 }, () => ledger.claim({ ...other, itemCount: 1, at })));
      expect(wins.filter(Boolean)).toHaveLength(1);

      await ledger.release(claim);
      expect(await ledger.claim({ ...claim, itemCount: 5, at })).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'a restarted backend on the same database does not resend today\'s digest (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const sent: NotificationSendOptions[] = [];
      const boot = async () => {
        // the mock scheduler instance is also its own factory (MockSchedulerService, not exported)
        const scheduler = mockServices.scheduler() as SchedulerService & {
          factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory<SchedulerService, 'plugin', 'singleton'>;
        };
        const backend = await startTestBackend({
          features: [
            machineIdentityPlugin,
            testScannerModule,
            mockServices.database.factory({ knex }),
            scheduler.factory({ skipTaskRunOnStartup: true }),
            catalogServiceMock.factory({ entities: [] }),
            createServiceFactory({
              service: notificationService,
              deps: {},
              factory: () => ({
                send: async (options: NotificationSendOptions) => {
                  sent.push(options);
                },
              }),
            }),
            mockServices.rootConfig.factory({
              data: {
                machineIdentity: {
                  fallbackOwner: 'group:default/security',
                  sources: [{ id: 'alpha', type: 'test' }],
                },
              },
            }),
          ],
        });
        return { backend, scheduler };
      };

      const first = await boot();
      try {
        const expired = new Date(Date.now() - 3 * 86_400_000).toISOString();
        scanPlans.set('alpha', yields(discovery(1, { type: 'tls-certificate', attributes: { notAfter: expired, keyAlgorithm: 'ecdsa', keySize: 256 } })));
        const started = await request(first.backend.server).post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
        expect(started.status).toBe(202);
        for (let i = 0; i < 100; i++) {
          const run = await request(first.backend.server).get(`${API}/scans/${started.body.scanId}`).set('Authorization', AUTH);
          if (run.body.status !== 'running') break;
          await new Promise(r => setTimeout(r, 50));
        }
        const violations = await request(first.backend.server).get(`${API}/violations`).set('Authorization', AUTH);
        expect(violations.body.items.length).toBeGreaterThan(0);

        await first.scheduler.triggerTask(DIGEST_TASK);
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.map(s => s.recipients)).toContainEqual({ type: 'entity', entityRef: 'group:default/security' });
      } finally {
        await first.backend.stop();
        scanPlans.clear();
      }
      const sentBeforeRestart = sent.length;
      expect(Number((await knex('notification_digests').count({ n: '*' }).first())!.n)).toBe(sentBeforeRestart);

      const second = await boot();
      try {
        await second.scheduler.triggerTask(DIGEST_TASK);
        expect(sent).toHaveLength(sentBeforeRestart);
      } finally {
        await second.backend.stop();
      }
    },
  );
});

import type { SchedulerService, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AwsEmulator, demoAccount, type EmulatedAccount } from '@keyring/cloud-emulators/aws';
import request from 'supertest';
import { awsDemoConfig, until } from './__testUtils__/awsBackend';

/*
 * The revocation workflow with real parts: the machine-identity plugin with
 * this module's scanner and revoker, the AWS emulator spoken to by the real
 * SDK. alice requests, bob approves, the revoker deactivates and deletes the
 * key in the emulator, the re-scan no longer sees it: verified.
 */

const API = '/api/machine-identity';
/** The revocation workflow's scheduled task (machine-identity-backend src/revocation/setupRevocations.ts). */
const REVOCATION_TASK_ID = 'machine-identity-revocation';
const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);

describe('revoking an AWS access key through the revocation workflow', () => {
  let emulator: AwsEmulator;
  let account: EmulatedAccount;
  beforeAll(async () => {
    account = await demoAccount();
    emulator = await AwsEmulator.start({ accounts: [account] });
  });
  afterAll(() => emulator.stop());

  it('requested by one user, approved by another, deleted in the emulator and verified by the re-scan', async () => {
    const scheduler = mockServices.scheduler() as SchedulerService & { factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory };
    const backend = await startTestBackend({
      features: [
        import('@keyring/plugin-machine-identity-backend'),
        import('./index'),
        catalogServiceMock.factory({ entities: [] }),
        scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.rootConfig.factory({ data: awsDemoConfig(emulator, { aws: { revocation: { holdingPeriod: { days: 0 } } } }) }),
      ],
    });
    const http = request(backend.server);
    const get = (path: string) => http.get(`${API}${path}`).set('Authorization', as('bob'));
    const post = (path: string, user: string, body: object = {}) => http.post(`${API}${path}`).set('Authorization', as(user)).send(body);
    try {
      const started = await post('/sources/aws-demo/scan', 'bob');
      expect(started.status).toBe(202);
      await until('first scan', async () => ((await get(`/scans/${started.body.scanId}`)).body.status === 'succeeded' ? true : undefined));
      const billing = account.users.find(u => u.userName === 'svc-billing-export')!;
      const stale = billing.accessKeys.find(k => k.status === 'Active')!;
      const identity = (await get('/identities?type=api-token&limit=50')).body.items.find((i: any) => i.extra?.accessKeyId === stale.accessKeyId);
      expect(identity).toBeDefined();

      const created = await post('/revocations', 'alice', { identityId: identity.id, reason: 'unused for 212 days' });
      expect(created.status).toBe(201);
      expect((await post(`/revocations/${created.body.id}/approve`, 'alice')).status).toBe(403);
      expect((await post(`/revocations/${created.body.id}/approve`, 'bob', { comment: 'stale' })).status).toBe(200);
      await scheduler.triggerTask(REVOCATION_TASK_ID);

      const done = await until('verified', async () => {
        const res = await get(`/revocations/${created.body.id}`);
        return ['verified', 'failed'].includes(res.body.state) ? res.body : undefined;
      });
      expect(done).toMatchObject({ state: 'verified', revokerId: 'aws-iam' });
      expect(billing.accessKeys.map(k => k.accessKeyId)).not.toContain(stale.accessKeyId);
      expect(emulator.callCount('UpdateAccessKey')).toBe(1);
      expect(emulator.callCount('DeleteAccessKey')).toBe(1);
      // The user's other (inactive) key is untouched.
      expect(billing.accessKeys).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });
});

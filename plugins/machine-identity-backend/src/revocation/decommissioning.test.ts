import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchedulerService, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { until } from '@keyring/plugin-machine-identity-node/testUtils';
import request from 'supertest';
import {
  generateKey,
  sshLoginWorks,
  startSshd,
  tempDir,
  type TestSshd,
} from '../../../machine-identity-backend-module-ssh/src/testing/sshTestUtils';
import { REVOCATION_TASK_ID } from './setupRevocations';

/*
 * The decommissioning flow with real parts: the real catalog backend reading
 * a catalog file, the machine-identity plugin with the SSH module (real
 * scanner and revoker), the real notifications backend, real authorized_keys
 * files and a real sshd on loopback that uses one of them.
 */

const API = '/api/machine-identity';
const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);

const catalogYaml = (oldLifecycle: string) => `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: old-payments, annotations: { keyring.io/ssh-hosts: web-01 } }
spec: { type: service, lifecycle: ${oldLifecycle}, owner: group:default/payments }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: web-billing, annotations: { keyring.io/ssh-hosts: web-02 } }
spec: { type: service, lifecycle: production, owner: group:default/billing }
`;

async function startPortal() {
  const dir = tempDir('keyring-decommission-');
  const webOne = join(dir, 'fleet/web-01/home/root/.ssh/authorized_keys');
  const webTwo = join(dir, 'fleet/web-02/home/root/.ssh/authorized_keys');
  mkdirSync(join(webOne, '..'), { recursive: true });
  mkdirSync(join(webTwo, '..'), { recursive: true });
  const keys = join(dir, 'keys');
  const retired = generateKey(keys, 'retired', 'ed25519', { comment: 'old-payments deploy' });
  const shared = generateKey(keys, 'shared', 'ed25519', { comment: 'shared deploy' });
  const mine = generateKey(keys, 'mine', 'ed25519', { comment: 'alice asked' });
  writeFileSync(webOne, `${retired.line}\n${shared.line}\n${mine.line}\n`);
  writeFileSync(webTwo, `${shared.line}\n`);
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, catalogYaml('production'));
  const sshd = await startSshd(join(dir, 'sshd'), ['ed25519'], { authorizedKeysFile: webOne });

  const scheduler = mockServices.scheduler() as SchedulerService & {
    factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
  };
  const backend = await startTestBackend({
    features: [
      import('@backstage/plugin-catalog-backend'),
      import('@backstage/plugin-notifications-backend'),
      import('@backstage/plugin-signals-backend'),
      import('../index'),
      import('@keyring/plugin-machine-identity-backend-module-ssh'),
      scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://127.0.0.1:3000' },
          catalog: {
            rules: [{ allow: ['Component', 'Location'] }],
            locations: [{ type: 'file', target: catalogFile }],
            processingInterval: { seconds: 1 },
          },
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            sources: [
              {
                id: 'fleet',
                type: 'ssh-files',
                paths: [join(dir, 'fleet/**/authorized_keys')],
                pathPattern: `^${dir}/fleet/(?<host>[^/]+)/home/(?<account>[^/]+)/`,
                schedule: { frequency: { hours: 12 }, timeout: { minutes: 5 }, initialDelay: { hours: 12 } },
              },
            ],
            revocation: { lifecycles: ['decommissioned'], approvalTimeout: { days: 2 } },
            // three keys in the fleet: one revoked is a third of the source, above the default mass-retirement guard
            retirement: { maxShare: 0.5 },
          },
        },
      }),
    ],
  });
  const http = request(backend.server);
  const get = (path: string, user = 'bob') => http.get(`${API}${path}`).set('Authorization', as(user));
  const post = (path: string, user: string, body: object = {}) =>
    http.post(`${API}${path}`).set('Authorization', as(user)).send(body);
  const components = (lifecycle: string) =>
    until(`catalog with old-payments ${lifecycle}`, async () => {
      const res = await http.get('/api/catalog/entities/by-query?filter=kind=component').set('Authorization', as('bob'));
      const old = res.body.items?.find((e: any) => e.metadata.name === 'old-payments');
      return res.body.items?.length === 2 && old?.spec.lifecycle === lifecycle ? true : undefined;
    });
  const scan = async () => {
    const started = await post('/sources/fleet/scan', 'bob');
    expect(started.status).toBe(202);
    return until('scan', async () => {
      const run = await get(`/scans/${started.body.scanId}`);
      return run.body.status !== 'running' ? run.body : undefined;
    });
  };
  const identityOf = async (comment: string) => {
    const res = await get('/identities?type=ssh-key&limit=50');
    return res.body.items.find((i: any) => i.comment === comment || i.displayName.includes(comment));
  };
  const stop = async () => {
    await backend.stop();
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { http, get, post, scheduler, components, scan, identityOf, stop, files: { webOne, webTwo, catalogFile }, sshd, keys: { retired, shared, mine } };
}

describe('decommissioning a Component (real catalog, SSH module, notifications, sshd)', () => {
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let sshd: TestSshd;
  beforeAll(async () => {
    portal = await startPortal();
    sshd = portal.sshd;
    await portal.components('production');
    expect(await portal.scan()).toMatchObject({ status: 'succeeded', seen: 3 });
  }, 120_000);
  afterAll(() => portal?.stop());

  it('validates input, refuses service principals as approvers and answers 404 for unknown requests', async () => {
    const mine = await portal.identityOf('alice asked');
    expect((await portal.post('/revocations', 'alice', { identityId: mine.id })).status).toBe(400);
    expect((await portal.post('/revocations', 'alice', { identityId: mine.id, reason: 'x', extra: 1 })).status).toBe(400);
    expect((await portal.post('/revocations', 'alice', { identityId: 'no-such-identity', reason: 'x' })).status).toBe(404);
    expect((await portal.get('/revocations/no-such-request')).status).toBe(404);
    expect((await portal.get('/revocations?state=bogus')).status).toBe(400);
    const created = await portal.post('/revocations', 'alice', { identityId: mine.id, reason: 'checking the rules' });
    expect(created.status).toBe(201);
    expect((await portal.post('/revocations', 'carol', { identityId: mine.id, reason: 'again' })).status).toBe(409);
    const asService = await portal.http
      .post(`${API}/revocations/${created.body.id}/approve`)
      .set('Authorization', mockCredentials.service.header())
      .send({});
    expect(asService.status).toBe(403);
    expect(asService.body.error.message).toMatch(/approved and rejected by users/);
    expect((await portal.post(`/revocations/${created.body.id}/reject`, 'bob', {})).status).toBe(400);
    expect((await portal.post(`/revocations/${created.body.id}/reject`, 'bob', { comment: 'only checking' })).body.state).toBe('rejected');
    expect((await portal.post(`/revocations/${created.body.id}/approve`, 'bob')).status).toBe(409);
  });

  it('refuses a requester approving their own request', async () => {
    const mine = await portal.identityOf('alice asked');
    const created = await portal.post('/revocations', 'alice', { identityId: mine.id, reason: 'no longer needed' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'requested', requestedBy: 'user:default/alice' });
    const self = await portal.post(`/revocations/${created.body.id}/approve`, 'alice');
    expect(self.status).toBe(403);
    expect(self.body.error.message).toMatch(/separation of duties requires a second person/);
    const rejected = await portal.post(`/revocations/${created.body.id}/reject`, 'bob', { comment: 'keep it for now' });
    expect(rejected.body.state).toBe('rejected');
    expect(sshLoginWorks(sshd.port, portal.keys.mine.privateKeyPath)).toBe(true);
  });

  it('turns the decommissioned Component into an approved, executed and verified revocation; sshd then refuses the key; the shared key stays', async () => {
    expect(sshLoginWorks(sshd.port, portal.keys.retired.privateKeyPath)).toBe(true);
    const retired = await portal.identityOf('old-payments deploy');
    const shared = await portal.identityOf('shared deploy');
    expect(retired.component).toBe('component:default/old-payments');
    expect(shared.component).toBe('component:default/old-payments');

    writeFileSync(portal.files.catalogFile, catalogYaml('decommissioned'));
    await portal.components('decommissioned');
    await portal.scheduler.triggerTask(REVOCATION_TASK_ID);

    const list = await until('revocation request', async () => {
      const res = await portal.get(`/revocations?entityRef=${encodeURIComponent('component:default/old-payments')}&state=requested`);
      return res.body.items?.length ? res.body.items : undefined;
    });
    expect(list.map((r: any) => r.identityId)).toEqual([retired.id]);
    const [request] = list;
    expect(request).toMatchObject({ trigger: 'decommissioned', requestedBy: 'plugin:machine-identity', owner: 'group:default/payments' });

    const page = await portal.get('/decommissioned-components');
    expect(page.body.items).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/old-payments',
        status: 'decommissioned',
        flags: [expect.objectContaining({ identityId: shared.id, sharedWith: ['component:default/web-billing'] })],
      }),
    ]);

    const approved = await portal.post(`/revocations/${request.id}/approve`, 'bob', { comment: 'retired last week' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'user:default/bob' });
    expect((await portal.get(`/identities/${retired.id}`)).body.state).toBe('pending-revocation');
    await portal.scheduler.triggerTask(REVOCATION_TASK_ID);

    const verified = await until('verified', async () => {
      const res = await portal.get(`/revocations/${request.id}`);
      return ['verified', 'failed'].includes(res.body.state) ? res.body : undefined;
    });
    expect(verified).toMatchObject({ state: 'verified', revokerId: 'ssh-authorized-keys' });
    expect((await portal.get(`/identities/${retired.id}`)).body.state).toBe('gone');
    expect(readFileSync(portal.files.webOne, 'utf8')).toBe(`${portal.keys.shared.line}\n${portal.keys.mine.line}\n`);
    expect(sshLoginWorks(sshd.port, portal.keys.retired.privateKeyPath)).toBe(false);
    expect(sshLoginWorks(sshd.port, portal.keys.shared.privateKeyPath)).toBe(true);
    expect(readFileSync(portal.files.webTwo, 'utf8')).toBe(`${portal.keys.shared.line}\n`);

    const history = (await portal.get(`/identities/${retired.id}`)).body.history.map((h: any) => h.action).reverse();
    expect(history.filter((a: string) => a.startsWith('revocation-'))).toEqual([
      'revocation-requested',
      'revocation-approved',
      'revocation-executing',
      'revocation-executed',
      'revocation-verified',
    ]);
    const notes = await portal.http.get('/api/notifications?limit=50').set('Authorization', as('bob'));
    expect(notes.status).toBe(200);
    expect(notes.body.notifications.map((n: any) => n.payload.title)).toContain('Revocation verified: old-payments deploy');

    // someone puts the key back: the next scan raises any.revoked-reappeared
    appendFileSync(portal.files.webOne, `${portal.keys.retired.line}\n`);
    expect(await portal.scan()).toMatchObject({ status: 'succeeded' });
    const violations = await portal.get('/violations?ruleId=any.revoked-reappeared');
    expect(violations.body.items).toEqual([expect.objectContaining({ identityId: retired.id, severity: 'error' })]);
    expect((await portal.get(`/identities/${retired.id}`)).body.state).toBe('active');
    expect((await portal.get(`/revocations/${request.id}`)).body.reappearedAt).toEqual(expect.any(String));
  });

  it('leaves a request failed with the reason and the file untouched when the revoker refuses', async () => {
    const mine = await portal.identityOf('alice asked');
    const created = await portal.post('/revocations', 'alice', { identityId: mine.id, reason: 'really not needed' });
    expect(created.status).toBe(201);
    appendFileSync(portal.files.webOne, '# edited by hand after the scan\n');
    const edited = readFileSync(portal.files.webOne, 'utf8');
    expect((await portal.post(`/revocations/${created.body.id}/approve`, 'bob')).status).toBe(200);
    await portal.scheduler.triggerTask(REVOCATION_TASK_ID);
    const failed = await until('failed', async () => {
      const res = await portal.get(`/revocations/${created.body.id}`);
      return ['failed', 'executed', 'verified'].includes(res.body.state) ? res.body : undefined;
    });
    expect(failed.state).toBe('failed');
    expect(failed.outcomeMessage).toMatch(/was modified at .* after the scan/);
    expect(readFileSync(portal.files.webOne, 'utf8')).toBe(edited);
    expect(sshLoginWorks(sshd.port, portal.keys.mine.privateKeyPath)).toBe(true);
  });
});

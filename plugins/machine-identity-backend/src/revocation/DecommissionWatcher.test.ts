import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MachineIdentityRevoker } from '@keyring/plugin-machine-identity-node';
import { discovery } from '../__testUtils__/testScannerModule';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { DecommissionWatcher } from './DecommissionWatcher';
import { RevocationExecutor } from './RevocationExecutor';
import { RevocationVerifier } from './RevocationVerifier';
import { revocationFixture, testSettings } from './revocationTestKit';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const component = (name: string, host: string, lifecycle = 'production'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'keyring.io/ssh-hosts': host } },
  spec: { type: 'service', owner: 'group:default/payments', lifecycle },
});
const sshKey = (n: number, host: string) =>
  discovery(n, {
    type: 'ssh-key',
    location: `${host}:/home/deploy/.ssh/authorized_keys:${n}`,
    details: { host, account: 'deploy', file: '/home/deploy/.ssh/authorized_keys', line: n, format: 'authorized_keys' },
    links: { sshHosts: [host], sshAccounts: ['deploy'] },
  });
const cert = (n: number, host: string) =>
  discovery(n, { type: 'tls-certificate', location: `${host}:443`, links: { sshHosts: [host] } });

async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const f = await revocationFixture(await databases.init(databaseId));
  const live = [component('checkout', 'web-01'), component('legacy-batch', 'web-03'), component('web-billing', 'web-02')];
  f.setIndex(ComponentIndex.fromEntities(live));
  // key 3: only checkout; key 6: checkout and web-billing (shared); cert 7: legacy-batch only
  const scanned = [sshKey(3, 'web-01'), sshKey(6, 'web-01'), sshKey(6, 'web-02'), cert(7, 'web-03')];
  const ids = await f.completeScan('fleet', scanned);
  const [only, shared, legacyCert] = [ids[0], ids[1], ids[ids.length - 1]];
  let catalogEntities: Entity[] | 'fail' = live;
  const catalog = catalogServiceMock.mock({
    streamEntities: async function* stream() {
      if (catalogEntities === 'fail') throw new Error('catalog unavailable');
      yield catalogEntities;
    },
  });
  const watcher = DecommissionWatcher.create({
    catalog,
    auth: mockServices.auth(),
    store: f.store,
    service: f.service,
    getIdentity: f.getIdentity,
    notifier: f.notifier,
    settings: testSettings,
    logger: f.logger,
    clock: f.clock,
  });
  return { f, live, scanned, only, shared, legacyCert, watcher, setCatalog: (e: Entity[] | 'fail') => (catalogEntities = e) };
}

describe('DecommissionWatcher', () => {
  it.each(databases.eachSupportedId())(
    'requests revocation of a decommissioned Component’s own credentials, flags shared ones, and waits out the removal grace period (%p)',
    async databaseId => {
      const { f, live, only, shared, legacyCert, watcher, setCatalog } = await setup(databaseId);
      expect(await watcher.run()).toEqual({ retired: 0, missing: 0, requested: 0, flagged: 0 });

      const [checkout, , billing] = live;
      setCatalog([{ ...checkout, spec: { ...checkout.spec, lifecycle: 'decommissioned' } }, billing]);
      expect(await watcher.run()).toEqual({ retired: 1, missing: 1, requested: 1, flagged: 1 });
      const requests = (await f.service.list({ entityRef: 'component:default/checkout' }, { limit: 10 })).items;
      expect(requests.map(r => [r.identityId, r.state, r.trigger])).toEqual([[only, 'requested', 'decommissioned']]);
      expect(await f.store.listFlags()).toEqual([
        expect.objectContaining({ identityId: shared, entityRef: 'component:default/checkout', sharedWith: ['component:default/web-billing'] }),
      ]);
      expect(f.sent.map(n => n.payload.title)).toEqual(expect.arrayContaining(['Shared credential not revoked: identity-6.example.test']));
      // legacy-batch is gone from the catalog: missing, nothing requested inside the grace period
      expect((await f.store.listRetired()).map(r => [r.entityRef, r.status])).toEqual(
        expect.arrayContaining([['component:default/legacy-batch', 'missing'], ['component:default/checkout', 'decommissioned']]),
      );

      // a catalog hiccup (empty answer, failed read) changes nothing
      setCatalog([]);
      expect(await watcher.run()).toEqual({ retired: 0, missing: 0, requested: 0, flagged: 0 });
      setCatalog('fail');
      f.advance(testSettings.removalGraceMs + 1);
      expect(await watcher.run()).toEqual({ retired: 0, missing: 0, requested: 0, flagged: 0 });
      expect((await f.service.list({ entityRef: 'component:default/legacy-batch' }, { limit: 10 })).items).toEqual([]);

      // past the grace period with a healthy catalog: removed, its credential requested; no duplicate for checkout
      setCatalog([{ ...checkout, spec: { ...checkout.spec, lifecycle: 'decommissioned' } }, billing]);
      expect(await watcher.run()).toMatchObject({ requested: 1, flagged: 0 });
      const removed = (await f.service.list({ entityRef: 'component:default/legacy-batch' }, { limit: 10 })).items;
      expect(removed.map(r => [r.identityId, r.trigger])).toEqual([[legacyCert, 'removed']]);
      expect(await watcher.run()).toMatchObject({ requested: 0 });
      expect((await f.service.list({}, { limit: 10 })).items).toHaveLength(2);
    },
  );

  it.each(databases.eachSupportedId())(
    'executes through a revoker, makes a manual task where none applies, fails on a revoker error, and verifies on the next complete scan (%p)',
    async databaseId => {
      const { f, scanned, only, legacyCert } = await setup(databaseId);
      const scans: string[] = [];
      const failing: MachineIdentityRevoker = {
        id: 'always-fails',
        canRevoke: t => t.identity.type === 'ssh-key',
        revoke: async () => {
          throw new Error('permission denied writing the file');
        },
      };
      const executor = RevocationExecutor.create({
        store: f.store,
        service: f.service,
        revokers: [failing],
        sources: [{ id: 'fleet', type: 'ssh-files', config: new ConfigReader({ id: 'fleet', type: 'ssh-files' }) }],
        getIdentity: f.getIdentity,
        requestScan: async id => scans.push(id),
        notifier: f.notifier,
        logger: f.logger,
        clock: f.clock,
      });
      const verifier = RevocationVerifier.create({ store: f.store, notifier: f.notifier, logger: f.logger, clock: f.clock });
      const sshRequest = await f.service.request({ identityId: only, reason: 'retired', requestedBy: 'user:default/alice' });
      const certRequest = await f.service.request({ identityId: legacyCert, reason: 'retired', requestedBy: 'user:default/alice' });
      await f.service.approve(sshRequest.id, 'user:default/bob');
      await f.service.approve(certRequest.id, 'user:default/bob');
      expect(await executor.processDue()).toEqual({ expired: 0, executed: 2 });

      const failed = await f.service.get(sshRequest.id);
      expect(failed).toMatchObject({ state: 'failed', revokerId: 'always-fails' });
      expect(failed.outcomeMessage).toBe('Revoker always-fails failed, nothing was changed: permission denied writing the file');
      expect((await f.getIdentity(only))?.state).toBe('active');
      expect((await f.getIdentity(legacyCert))?.state).toBe('pending-revocation');
      const manual = await f.service.get(certRequest.id);
      expect(manual).toMatchObject({ state: 'manual', owner: 'group:default/payments' });
      expect(manual.outcomeMessage).toMatch(/No installed revoker can revoke this tls-certificate here\. group:default\/payments must revoke identity-7\.example\.test .* at: fleet web-03:443/);
      expect(scans).toEqual([]);

      // the manual task closes when a complete scan no longer sees the certificate
      const touched = await f.completeScan('fleet', scanned.slice(0, 3));
      expect(await verifier.afterScan({ sourceId: 'fleet', status: 'partial', touchedIds: touched })).toEqual({ verified: 0, reappeared: 0 });
      expect(await verifier.afterScan({ sourceId: 'fleet', status: 'succeeded', touchedIds: touched })).toEqual({ verified: 1, reappeared: 0 });
      expect((await f.service.get(certRequest.id)).state).toBe('verified');
      expect((await f.getIdentity(legacyCert))?.state).toBe('gone');
      expect((await f.audit(legacyCert)).filter(a => a.startsWith('revocation-'))).toEqual([
        'revocation-requested', 'revocation-approved', 'revocation-executing', 'revocation-manual', 'revocation-verified',
      ]);

      // seen again later: marked as reappeared
      f.advance(1000);
      const again = await f.completeScan('fleet', scanned);
      expect(await verifier.afterScan({ sourceId: 'fleet', status: 'succeeded', touchedIds: again })).toEqual({ verified: 0, reappeared: 1 });
      expect((await f.service.get(certRequest.id)).reappearedAt).toBeDefined();
      expect(await f.audit(legacyCert)).toContain('revocation-reappeared');
    },
  );

  it.each(databases.eachSupportedId())('waits out the grace period between approval and execution (%p)', async databaseId => {
    const f = await revocationFixture(await databases.init(databaseId), { ...testSettings, executionGraceMs: 60 * 60_000 });
    const [id] = await f.completeScan('fleet', [cert(9, 'web-09')]);
    const executor = RevocationExecutor.create({
      store: f.store,
      service: f.service,
      revokers: [],
      sources: [],
      getIdentity: f.getIdentity,
      requestScan: async () => undefined,
      notifier: f.notifier,
      logger: f.logger,
      clock: f.clock,
    });
    const request = await f.service.request({ identityId: id, reason: 'retired', requestedBy: 'user:default/alice' });
    const approved = await f.service.approve(request.id, 'user:default/bob');
    expect(Date.parse(approved.executeAfter!) - Date.parse(approved.decidedAt!)).toBe(60 * 60_000);
    f.advance(59 * 60_000);
    expect(await executor.processDue()).toEqual({ expired: 0, executed: 0 });
    expect((await f.service.get(request.id)).state).toBe('approved');
    f.advance(60_000);
    expect(await executor.processDue()).toEqual({ expired: 0, executed: 1 });
    expect((await f.service.get(request.id)).state).toBe('manual');
  });
});

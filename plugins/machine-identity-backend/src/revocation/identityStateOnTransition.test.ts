import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { MachineIdentityRevoker } from '@keyring/plugin-machine-identity-node';
import { discovery } from '../__testUtils__/testScannerModule';
import { RevocationExecutor } from './RevocationExecutor';
import { RevocationVerifier } from './RevocationVerifier';
import { revocationFixture } from './revocationTestKit';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const cert = (n: number) => discovery(n, { type: 'tls-certificate', location: `web-0${n}:443` });

describe('the identity state follows its revocation', () => {
  it.each(databases.eachSupportedId())(
    'pending-revocation once approved, revoked once executed and while still seen, gone once a complete scan no longer sees it (%p)',
    async databaseId => {
      const f = await revocationFixture(await databases.init(databaseId));
      const [revokedId, otherId] = await f.completeScan('edge', [cert(1), cert(2)]);
      const atCa: MachineIdentityRevoker = {
        id: 'at-ca',
        canRevoke: () => true,
        revoke: async () => ({ outcome: 'executed', message: 'revoked at the CA; still installed' }),
      };
      const executor = RevocationExecutor.create({
        store: f.store,
        service: f.service,
        revokers: [atCa],
        sources: [{ id: 'edge', type: 'tls', config: new ConfigReader({ id: 'edge', type: 'tls' }) }],
        getIdentity: f.getIdentity,
        requestScan: async () => undefined,
        notifier: f.notifier,
        logger: f.logger,
        clock: f.clock,
      });
      const verifier = RevocationVerifier.create({ store: f.store, notifier: f.notifier, logger: f.logger, clock: f.clock });
      const request = await f.service.request({ identityId: revokedId, reason: 'retired', requestedBy: 'user:default/alice' });
      expect((await f.getIdentity(revokedId))?.state).toBe('active');
      await f.service.approve(request.id, 'user:default/bob');
      expect((await f.getIdentity(revokedId))?.state).toBe('pending-revocation');
      await executor.processDue();
      expect((await f.service.get(request.id)).state).toBe('executed');
      expect((await f.getIdentity(revokedId))?.state).toBe('revoked');

      // still served: the complete scan sees it, nothing verifies, it stays revoked (not retired, not revived)
      const seen = await f.completeScan('edge', [cert(1), cert(2)]);
      expect(await verifier.afterScan({ sourceId: 'edge', status: 'succeeded', touchedIds: seen })).toEqual({ verified: 0, reappeared: 0 });
      expect((await f.service.get(request.id)).state).toBe('executed');
      expect((await f.getIdentity(revokedId))?.state).toBe('revoked');

      const gone = await f.completeScan('edge', [cert(2)]);
      expect(await verifier.afterScan({ sourceId: 'edge', status: 'succeeded', touchedIds: gone })).toEqual({ verified: 1, reappeared: 0 });
      expect((await f.getIdentity(revokedId))?.state).toBe('gone');
      expect((await f.getIdentity(otherId))?.state).toBe('active');
      expect((await f.audit(revokedId)).filter(a => !a.startsWith('revocation-'))).toEqual(expect.arrayContaining(['pending-revocation', 'revoked', 'gone']));
    },
  );
});

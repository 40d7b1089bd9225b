import { TestDatabases, mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { NOW, days, seedKnownInventory } from '../facts/__fixtures__/knownInventory';
import { machineIdentityPlugin } from '../plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('machine-identity plugin', () => {
  it('serves GET /evidence through the permission framework, streamed from its own database', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        machineIdentityPlugin,
        mockServices.database.factory({ knex }),
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: { machineIdentity: { fallbackOwner: 'group:default/security' } } }),
      ],
    });
    await seedKnownInventory(knex, NOW);
    const http = request(backend.server);
    expect((await http.get('/api/machine-identity/evidence')).status).toBe(401);

    const res = await http
      .get('/api/machine-identity/evidence')
      .query({ from: days(-20), to: NOW.toISOString(), owner: 'group:default/security', format: 'csv' })
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.headers['x-evidence-rows']).toBe('4'); // s1, its owner row, violation 5, r4 (its audit event is before the period)
    expect(res.text).toContain('\r\nsection,inventory\r\n');
    expect(res.text).toContain(`\r\ns1,ssh-key,s1.example.test,${'s1'.padEnd(64, '0')},CN=s1.example.test,`);
    await backend.stop();
    await knex.destroy();
  });
});

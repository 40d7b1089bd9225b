import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { machineIdentityPlugin } from '../plugin';

function start(machineIdentity: Record<string, unknown>) {
  return startTestBackend({
    features: [
      machineIdentityPlugin,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({ data: { machineIdentity: { sources: [], ...machineIdentity } } }),
    ],
  });
}

describe('machineIdentity.tokenHashKey', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('is required in production: the backend refuses to start and says which key to set', async () => {
    process.env.NODE_ENV = 'production';
    await expect(start({})).rejects.toThrow(/machineIdentity\.tokenHashKey is required when NODE_ENV=production/);
    const backend = await start({ tokenHashKey: 'a-long-random-secret-from-the-environment' });
    await backend.stop();
  });

  it('falls back to a key kept in the database outside production', async () => {
    process.env.NODE_ENV = 'development';
    const backend = await start({});
    await backend.stop();
  });
});

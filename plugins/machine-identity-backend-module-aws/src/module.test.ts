import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import machineIdentityModuleAws from './index';

describe('machineIdentityModuleAws', () => {
  it('starts inside a backend and reports that its scanner is not available yet', async () => {
    const logger = mockServices.logger.mock();
    const backend = await startTestBackend({
      features: [machineIdentityModuleAws, logger.factory],
    });
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining('not available yet'));
    await backend.stop();
  });
});

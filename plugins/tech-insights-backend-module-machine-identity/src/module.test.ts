import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import techInsightsModuleMachineIdentity from './index';

describe('techInsightsModuleMachineIdentity', () => {
  it('starts inside a backend and reports that its facts are not available yet', async () => {
    const logger = mockServices.logger.mock();
    const backend = await startTestBackend({
      features: [techInsightsModuleMachineIdentity, logger.factory],
    });
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining('not available yet'));
    await backend.stop();
  });
});

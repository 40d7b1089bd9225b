import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  DeferredMachineIdentityService,
  type MachineIdentityService,
  machineIdentityServiceRef,
  machineIdentityServiceRegistryRef,
} from './service';

const facts = (ref: string) => ({ entityRef: ref, identitiesTotal: 3 }) as any;
const implementation: MachineIdentityService = {
  getEntityFacts: async refs => refs.map(facts),
};

describe('machineIdentityServiceRef', () => {
  it('hands the implementation one plugin provides to another plugin, whose calls wait for it', async () => {
    let answer: Promise<unknown> | undefined;
    const consumer = createBackendPlugin({
      pluginId: 'consumer',
      register(env) {
        env.registerInit({
          deps: { machineIdentity: machineIdentityServiceRef },
          async init({ machineIdentity }) {
            answer = machineIdentity.getEntityFacts(['group:default/payments']);
          },
        });
      },
    });
    const provider = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerInit({
          deps: { registry: machineIdentityServiceRegistryRef },
          async init({ registry }) {
            await new Promise(r => setTimeout(r, 50));
            registry.provide(implementation);
          },
        });
      },
    });
    const backend = await startTestBackend({ features: [consumer, provider] });
    await expect(answer).resolves.toEqual([facts('group:default/payments')]);
    await backend.stop();
  });

  it('fails with ServiceUnavailableError when nothing provides the service in time', async () => {
    const registry = new DeferredMachineIdentityService(20);
    await expect(registry.service.getEntityFacts(['component:default/a'])).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
  });

  it('refuses a second implementation', () => {
    const registry = new DeferredMachineIdentityService();
    registry.provide(implementation);
    expect(() => registry.provide(implementation)).toThrow('already provided');
  });
});

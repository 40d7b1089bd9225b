import alphaPlugin from './alpha';
import { MachineIdentityClient } from './api/MachineIdentityClient';
import { machineIdentityApiRef } from './api/MachineIdentityApi';
import { machineIdentityPlugin } from './plugin';

describe('machineIdentityPlugin', () => {
  it('registers a MachineIdentityClient built from the discovery and fetch APIs', () => {
    const factory = [...machineIdentityPlugin.getApis()].find(
      f => f.api.id === machineIdentityApiRef.id,
    )!;
    expect(Object.keys(factory.deps).sort()).toEqual(['discoveryApi', 'fetchApi']);
    const client = factory.factory({
      discoveryApi: { getBaseUrl: async () => 'http://127.0.0.1' },
      fetchApi: { fetch },
    } as any);
    expect(client).toBeInstanceOf(MachineIdentityClient);
    expect(machineIdentityPlugin.getId()).toBe('machine-identity');
  });
});

describe('alpha plugin', () => {
  it('provides the API, the page, both entity contents and the card', () => {
    expect(alphaPlugin.pluginId).toBe('machine-identity');
    for (const id of [
      'api:machine-identity',
      'page:machine-identity',
      'entity-content:machine-identity',
      'entity-content:machine-identity/details',
      'entity-card:machine-identity',
    ]) {
      expect(alphaPlugin.getExtension(id as any)).toBeDefined();
    }
    expect(() => alphaPlugin.getExtension('page:machine-identity/nope' as any)).toThrow();
  });
});

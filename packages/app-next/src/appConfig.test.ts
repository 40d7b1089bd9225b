import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import machineIdentityPlugin from '@keyring/plugin-machine-identity/alpha';

/** The new frontend system only warns about unknown ids in app.extensions: catch typos here. */
describe('app-config.next.yaml', () => {
  const file = path.resolve(__dirname, '../../../app-config.next.yaml');
  const extensions: Array<string | Record<string, unknown>> = parse(readFileSync(file, 'utf8')).app.extensions;
  const ids = extensions.map(entry => (typeof entry === 'string' ? entry : Object.keys(entry)[0]));

  it("names only extensions Keyring's alpha plugin provides, each once", () => {
    const keyring = ids.filter(id => /^[a-z-]+:machine-identity(\/|$)/.test(id));
    expect(keyring.length).toBeGreaterThan(5);
    expect(new Set(keyring).size).toBe(keyring.length);
    for (const id of keyring) {
      expect(() => machineIdentityPlugin.getExtension(id as never), id).not.toThrow();
    }
  });

  it('configures the Machine identities tab on its legacy path', () => {
    const tab = extensions.find(
      (entry): entry is Record<string, { config: { path: string } }> =>
        typeof entry === 'object' && 'entity-content:machine-identity' in entry,
    );
    expect(tab?.['entity-content:machine-identity'].config.path).toBe('/machine-identities');
  });
});

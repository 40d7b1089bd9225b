import { inject } from 'vitest';
import { catalog, machineIdentityEntity, waitForOwnership } from './api';
import { openSignedIn, snap, useBrowser } from './browser';

describe('MachineIdentity entities in the catalog', () => {
  const browser = useBrowser(waitForOwnership);

  it('relates the payments certificate to its Component and owning Group, both ways', async () => {
    const entity = await machineIdentityEntity('api.payments.example.test');
    expect(entity.spec.type).toBe('tls-certificate');
    const relations = entity.relations.map((r: any) => `${r.type} ${r.targetRef}`);
    expect(relations).toContain('ownedBy group:default/payments');
    expect(relations).toContain('dependencyOf component:default/payments-api');
    const component = await catalog('/entities/by-name/component/default/payments-api');
    expect(component.relations.map((r: any) => `${r.type} ${r.targetRef}`)).toContain(
      `dependsOn machineidentity:default/${entity.metadata.name}`,
    );
  });

  it("lists the Component's machine identities on its Dependencies tab and opens one", async () => {
    const entity = await machineIdentityEntity('api.payments.example.test');
    const page = await openSignedIn(browser(), `${inject('appUrl')}/catalog/default/component/payments-api/dependencies`);
    const link = page.getByRole('link', { name: new RegExp(entity.metadata.title.replace(/\./g, '\\.')) }).first();
    await link.waitFor({ timeout: 60_000 });
    await snap(page, 'component-dependencies');
    await link.click();
    await page.getByTestId('machine-identity-entity-details').waitFor({ timeout: 60_000 });
    const hex: string = entity.metadata.annotations['keyring.io/fingerprint-sha256'];
    const shown = page.getByTestId('fingerprint-hex').first();
    await shown.waitFor({ timeout: 30_000 });
    expect((await shown.innerText()).replace(/[^0-9a-f]/gi, '').toLowerCase()).toBe(hex);
    await snap(page, 'machine-identity-entity-page');
    await page.close();
  });
});

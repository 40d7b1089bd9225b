import type { Entity } from '@backstage/catalog-model';
import type { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import { MachineIdentityEntityProcessor } from './MachineIdentityEntityProcessor';

const location = { type: 'keyring-inventory', target: 'machine-identity' };
const entity = (spec: Record<string, unknown>, namespace = 'keys'): Entity => ({
  apiVersion: 'keyring.io/v1alpha1',
  kind: 'MachineIdentity',
  metadata: { name: 'ssh-0123456789abcdef', namespace },
  spec: {
    type: 'ssh-key',
    lifecycle: 'production',
    status: { state: 'active' },
    ...spec,
  },
});

async function relationsOf(
  input: Entity,
  processor = new MachineIdentityEntityProcessor(),
): Promise<string[]> {
  const emitted: CatalogProcessorResult[] = [];
  await processor.postProcessEntity(input, location, r => emitted.push(r));
  return emitted.map(r => {
    if (r.type !== 'relation') throw new Error(`unexpected ${r.type}`);
    const { source, type, target } = r.relation;
    return `${source.kind}:${source.namespace}/${source.name} ${type} ${target.kind}:${target.namespace}/${target.name}`;
  });
}

describe('MachineIdentityEntityProcessor', () => {
  it('emits both directions of ownership and dependency, defaulting kind and namespace from the entity', async () => {
    expect(await relationsOf(entity({ owner: 'payments', component: 'payments-api' }))).toEqual([
      'MachineIdentity:keys/ssh-0123456789abcdef ownedBy Group:keys/payments',
      'Group:keys/payments ownerOf MachineIdentity:keys/ssh-0123456789abcdef',
      'MachineIdentity:keys/ssh-0123456789abcdef dependencyOf Component:keys/payments-api',
      'Component:keys/payments-api dependsOn MachineIdentity:keys/ssh-0123456789abcdef',
    ]);
  });

  it('emits only the identity-side relations with ownerSideRelations: false', async () => {
    const processor = new MachineIdentityEntityProcessor({ ownerSideRelations: false });
    expect(await relationsOf(entity({ owner: 'payments', component: 'payments-api' }), processor)).toEqual([
      'MachineIdentity:keys/ssh-0123456789abcdef ownedBy Group:keys/payments',
      'MachineIdentity:keys/ssh-0123456789abcdef dependencyOf Component:keys/payments-api',
    ]);
  });

  it('keeps explicit kinds and namespaces, and emits nothing for missing refs or other kinds', async () => {
    expect(await relationsOf(entity({ owner: 'user:default/alice' }))).toEqual([
      'MachineIdentity:keys/ssh-0123456789abcdef ownedBy user:default/alice',
      'user:default/alice ownerOf MachineIdentity:keys/ssh-0123456789abcdef',
    ]);
    expect(await relationsOf(entity({}))).toEqual([]);
    expect(await relationsOf({ ...entity({ owner: 'x' }), kind: 'Component' })).toEqual([]);
  });

  it('claims valid MachineIdentity entities, ignores other kinds and throws on invalid ones', async () => {
    const processor = new MachineIdentityEntityProcessor();
    await expect(processor.validateEntityKind(entity({ owner: 'payments' }))).resolves.toBe(true);
    await expect(
      processor.validateEntityKind({ ...entity({}), apiVersion: 'backstage.io/v1alpha1', kind: 'Component' }),
    ).resolves.toBe(false);
    await expect(
      processor.validateEntityKind({ ...entity({ privateKey: 'x' }), apiVersion: 'example.com/v1' }),
    ).resolves.toBe(false);
    await expect(processor.validateEntityKind(entity({ expiresAt: 42 }))).rejects.toThrow(
      /\/spec\/expiresAt must be string/,
    );
  });
});

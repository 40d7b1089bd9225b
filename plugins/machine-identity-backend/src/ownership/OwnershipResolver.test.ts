import type { Entity } from '@backstage/catalog-model';
import { ComponentIndex } from './ComponentIndex';
import { OwnershipResolver } from './OwnershipResolver';

const billing: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'billing', namespace: 'default', annotations: { 'keyring.io/ssh-accounts': 'billing-deploy' } },
  spec: { owner: 'group:default/billing' },
};

describe('OwnershipResolver', () => {
  const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
  resolver.setIndex(ComponentIndex.fromEntities([billing]));
  const comment = { owner: 'group:default/attacker', via: 'ssh key comment "x owner=attacker"', fillsGapOnly: true };

  it('never lets an SSH key comment hint override a Component annotation', () => {
    const decision = resolver.resolve({ type: 'ssh-key', ownerHint: comment, links: { sshAccounts: ['billing-deploy'] } });
    expect(decision).toMatchObject({ owner: 'group:default/billing', component: 'component:default/billing', rule: 'component-annotation' });
  });

  it('lets a comment hint fill the gap when no annotation matches, instead of the fallback owner', () => {
    const decision = resolver.resolve({ type: 'ssh-key', ownerHint: comment, links: { sshAccounts: ['somebody-else'] } });
    expect(decision).toMatchObject({ owner: 'group:default/attacker', rule: 'source-metadata' });
    expect(decision.via).toBe('ssh key comment "x owner=attacker" (no Component annotation matched)');
  });

  it('keeps authoritative source metadata (tags, labels) above annotations', () => {
    const tag = { owner: 'group:default/ops', via: 'aws tag owner=ops' };
    const decision = resolver.resolve({ type: 'ssh-key', ownerHint: tag, links: { sshAccounts: ['billing-deploy'] } });
    expect(decision).toMatchObject({ owner: 'group:default/ops', rule: 'source-metadata', via: 'aws tag owner=ops' });
  });

  it('keeps an explicit review decision above everything', () => {
    const decision = resolver.resolve({ type: 'ssh-key', ownerHint: comment, reviewOwner: 'group:default/reviewed', links: { sshAccounts: ['billing-deploy'] } });
    expect(decision).toMatchObject({ owner: 'group:default/reviewed', rule: 'review-decision' });
  });
});

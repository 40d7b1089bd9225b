import type { Entity } from '@backstage/catalog-model';
import { isMachineIdentityAvailable } from './isMachineIdentityAvailable';

const entity = (kind: string, annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x', annotations },
});

describe('isMachineIdentityAvailable', () => {
  it('is true for each link annotation and for MachineIdentity entities', () => {
    for (const key of [
      'keyring.io/hostnames',
      'keyring.io/ssh-hosts',
      'keyring.io/ssh-accounts',
      'keyring.io/aws-iam-users',
      'keyring.io/aws-iam-roles',
      'backstage.io/kubernetes-id',
    ]) {
      expect(isMachineIdentityAvailable(entity('Component', { [key]: 'a' }))).toBe(true);
    }
    expect(isMachineIdentityAvailable(entity('MachineIdentity'))).toBe(true);
  });

  it('is false without annotations or with blank values', () => {
    expect(isMachineIdentityAvailable(entity('Component'))).toBe(false);
    expect(
      isMachineIdentityAvailable(entity('Component', { 'keyring.io/hostnames': ' ' })),
    ).toBe(false);
    expect(
      isMachineIdentityAvailable(entity('Component', { 'backstage.io/techdocs-ref': 'dir:.' })),
    ).toBe(false);
  });
});

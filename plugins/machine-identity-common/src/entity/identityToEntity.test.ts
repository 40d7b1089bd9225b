import { makeValidator } from '@backstage/catalog-model';
import type { IdentityChange } from '../types';
import { identityToEntity } from './identityToEntity';
import { machineIdentityEntityV1alpha1Validator } from './MachineIdentityEntityV1alpha1';

const change: IdentityChange = {
  id: 'id-1',
  type: 'tls-certificate',
  fingerprintSha256: '3f9a2c1d7e6b5a40'.padEnd(64, 'c'),
  displayName: 'api.payments.example.test',
  subject: 'CN=api.payments.example.test',
  notAfter: '2027-02-01T00:00:00.000Z',
  keyAlgorithm: 'RSA',
  owner: 'group:default/payments',
  component: 'component:default/payments-api',
  ownershipRule: 'component-annotation',
  state: 'active',
  management: 'automated',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-11-01T00:00:00.000Z',
  observationCount: 2,
  violationCount: 1,
  reviewStatus: 'overdue',
  changeSeq: 7,
  stateChangedAt: '2026-01-01T00:00:00.000Z',
  compliance: 'violating',
};

describe('identityToEntity', () => {
  it('maps an active identity to a valid MachineIdentity entity', () => {
    const entity = identityToEntity(change);
    expect(machineIdentityEntityV1alpha1Validator(entity)).toBe(entity);
    expect(makeValidator().isValidEntityName(entity.metadata.name)).toBe(true);
    expect(entity).toEqual({
      apiVersion: 'keyring.io/v1alpha1',
      kind: 'MachineIdentity',
      metadata: {
        name: 'tls-3f9a2c1d7e6b5a40',
        namespace: 'default',
        title: 'api.payments.example.test',
        annotations: {
          'backstage.io/managed-by-location': 'keyring-inventory:machine-identity',
          'backstage.io/managed-by-origin-location': 'keyring-inventory:machine-identity',
          'keyring.io/fingerprint-sha256': change.fingerprintSha256,
          'keyring.io/identity-id': 'id-1',
        },
      },
      spec: {
        type: 'tls-certificate',
        owner: 'group:default/payments',
        component: 'component:default/payments-api',
        lifecycle: 'production',
        status: { state: 'active' },
      },
    });
  });

  it('marks revoked identities deprecated with the time of the change, and omits what is unknown', () => {
    const entity = identityToEntity(
      {
        ...change,
        type: 'ssh-key',
        owner: undefined,
        component: undefined,
        notAfter: undefined,
        state: 'revoked',
        stateChangedAt: '2026-10-01T00:00:00.000Z',
      },
      { name: 'ssh-custom', namespace: 'keys' },
    );
    expect(machineIdentityEntityV1alpha1Validator(entity)).toBe(entity);
    expect(entity.metadata).toMatchObject({ name: 'ssh-custom', namespace: 'keys' });
    expect(entity.spec).toEqual({
      type: 'ssh-key',
      lifecycle: 'deprecated',
      status: { state: 'revoked', stateChangedAt: '2026-10-01T00:00:00.000Z' },
    });
  });

  it('leaves out what changes often and only Keyring\'s API shows (compliance, review, management, expiry), so such a change leaves the entity as it was', () => {
    const changedOften = identityToEntity({
      ...change,
      compliance: 'compliant',
      violationCount: 0,
      reviewStatus: 'reviewed',
      management: 'manual',
      notAfter: '2028-01-01T00:00:00.000Z',
      changeSeq: 8,
    });
    expect(changedOften).toEqual(identityToEntity(change));
  });

  it('is deterministic, so an unchanged identity never looks changed', () => {
    expect(JSON.stringify(identityToEntity(change))).toBe(JSON.stringify(identityToEntity({ ...change })));
  });
});

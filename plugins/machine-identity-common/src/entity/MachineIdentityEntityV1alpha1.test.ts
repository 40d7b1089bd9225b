import type { Entity } from '@backstage/catalog-model';
import { IDENTITY_TYPES } from '../types';
import {
  isMachineIdentityEntity,
  machineIdentityEntityV1alpha1Schema,
  machineIdentityEntityV1alpha1Validator as validate,
} from './MachineIdentityEntityV1alpha1';

const example = (machineIdentityEntityV1alpha1Schema as { examples: Entity[] }).examples[0];
const clone = (): any => JSON.parse(JSON.stringify(example));

describe('MachineIdentity kind schema', () => {
  it('has an $id and accepts its own example', () => {
    expect((machineIdentityEntityV1alpha1Schema as { $id: string }).$id).toBe(
      'MachineIdentityV1alpha1',
    );
    expect(validate(clone())).toEqual(example);
    expect(isMachineIdentityEntity(example)).toBe(true);
  });

  it('returns false for other kinds and api versions', () => {
    expect(validate({ ...clone(), kind: 'Component' })).toBe(false);
    expect(validate({ ...clone(), apiVersion: 'backstage.io/v1alpha1' })).toBe(false);
    expect(isMachineIdentityEntity({ ...clone(), kind: 'Component' })).toBe(false);
    expect(isMachineIdentityEntity(undefined)).toBe(false);
  });

  it('accepts every identity type, the stored secret included', () => {
    for (const type of IDENTITY_TYPES) {
      const entity = clone();
      entity.spec.type = type;
      expect(validate(entity)).toEqual(entity);
    }
    expect(IDENTITY_TYPES).toContain('secret');
  });

  it('still accepts the status fields and expiry an older provider wrote, so an upgrade does not invalidate entities', () => {
    const older = clone();
    older.spec.expiresAt = '2027-02-01T00:00:00Z';
    older.spec.status = { state: 'active', compliance: 'violating', review: 'overdue', management: 'automated' };
    expect(validate(older)).toEqual(older);
    older.spec.status.review = 'late';
    expect(() => validate(older)).toThrow(/\/spec\/status\/review/);
  });

  it('rejects an unknown type with an error naming the field', () => {
    const entity = clone();
    entity.spec.type = 'password';
    expect(() => validate(entity)).toThrow(/\/spec\/type must be equal to one of the allowed values/);
  });

  it('rejects missing status, bad state and unknown spec fields', () => {
    const noStatus = clone();
    delete noStatus.spec.status;
    expect(() => validate(noStatus)).toThrow(/must have required property 'status'/);
    const badState = clone();
    badState.spec.status.state = 'deleted';
    expect(() => validate(badState)).toThrow(/\/spec\/status\/state/);
    const extra = clone();
    extra.spec.privateKey = 'never';
    expect(() => validate(extra)).toThrow(/must NOT have additional properties/);
    const emptyOwner = clone();
    emptyOwner.spec.owner = '';
    expect(() => validate(emptyOwner)).toThrow(/\/spec\/owner/);
  });
});

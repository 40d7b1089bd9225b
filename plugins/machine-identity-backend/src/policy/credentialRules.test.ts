import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DefaultPolicyEngine } from './DefaultPolicyEngine';
import { daysFromNow, makeContext, makeIdentity, NOW } from './__fixtures__/identities';
import { DAY_MS } from './PolicyRule';

const engine = DefaultPolicyEngine.create();
const result = (ruleId: string, identity: Identity) =>
  engine.evaluate(identity, makeContext()).find(r => r.ruleId === ruleId);

/** An AWS access key as the aws-iam scanner reports it: static, never expires. */
function accessKey(overrides: Partial<Identity> = {}): Identity {
  return makeIdentity({
    type: 'api-token',
    displayName: 'AKIAEXAMPLE (svc-payments-api)',
    notBefore: daysFromNow(-30),
    lastUsedAt: daysFromNow(-1),
    storage: 'aws-iam-access-key',
    rotation: { enabled: false, lastRotatedAt: daysFromNow(-30) },
    extra: { status: 'Active', neverUsed: false },
    ...overrides,
  });
}
const ms = (offset: number) => new Date(NOW.getTime() + offset).toISOString();

describe('credential rules', () => {
  it('token.unused-disable passes exactly 45 days unused and warns a millisecond later (until token.unused takes over at 90)', () => {
    expect(result('token.unused-disable', accessKey({ lastUsedAt: daysFromNow(-45) }))).toBeUndefined();
    expect(result('token.unused-disable', accessKey({ lastUsedAt: ms(-45 * DAY_MS - 1) }))).toMatchObject({
      severity: 'warning',
      message: 'Token last used 45 days ago: disable tokens unused for more than 45 days',
    });
    expect(result('token.unused-disable', accessKey({ lastUsedAt: daysFromNow(-90) }))).toBeDefined();
    // Beyond 90 days the revoke finding (token.unused) replaces the disable advice.
    const stale = accessKey({ lastUsedAt: daysFromNow(-212) });
    expect(result('token.unused-disable', stale)).toBeUndefined();
    expect(result('token.unused', stale)?.message).toBe('Token last used 212 days ago, beyond the 90-day limit');
  });

  it('token.unused-disable counts a never-used key from its creation and ignores keys already inactive', () => {
    const never = accessKey({ lastUsedAt: undefined, notBefore: daysFromNow(-95), extra: { status: 'Active', neverUsed: true } });
    expect(result('token.unused-disable', never)?.message).toBe('Token never used in the 95 days since it was created (disable after 45 days)');
    expect(result('token.unused-disable', accessKey({ lastUsedAt: undefined, notBefore: daysFromNow(-45), extra: { neverUsed: true } }))).toBeUndefined();
    expect(result('token.unused-disable', { ...never, extra: { status: 'Inactive', neverUsed: true } })).toBeUndefined();
    // Unknown last use (no neverUsed flag): not judged.
    expect(result('token.unused-disable', accessKey({ lastUsedAt: undefined, extra: {} }))).toBeUndefined();
  });

  it('token.rotation passes a key exactly 90 days old, warns after, and leaves expiring tokens to token.lifetime', () => {
    const at = (days: number) => accessKey({ notBefore: daysFromNow(-days), rotation: { enabled: false, lastRotatedAt: daysFromNow(-days) } });
    expect(result('token.rotation', at(90))).toBeUndefined();
    expect(result('token.rotation', accessKey({ rotation: { enabled: false, lastRotatedAt: ms(-90 * DAY_MS - 1) } }))).toBeDefined();
    expect(result('token.rotation', at(640))?.message).toBe('Key not rotated for 640 days, beyond the 90-day maximum');
    expect(result('token.rotation', { ...at(640), notAfter: daysFromNow(10) })).toBeUndefined();
    expect(result('token.rotation', { ...at(640), extra: { status: 'Inactive' } })).toBeUndefined();
  });

  it('reads the limits from machineIdentity.policies.token', () => {
    const custom = DefaultPolicyEngine.create({ settings: { token: { disableUnusedDays: 30, maxKeyAgeDays: 60 } } });
    const findings = custom.evaluate(accessKey({ lastUsedAt: daysFromNow(-31), notBefore: daysFromNow(-61), rotation: undefined }), makeContext());
    expect(findings.map(f => f.ruleId)).toEqual(expect.arrayContaining(['token.unused-disable', 'token.rotation']));
  });

  it('workload-identity.privileged names the reason of an admin role', () => {
    const role = makeIdentity({ type: 'workload-identity', displayName: 'arn:aws:iam::123456789012:role/admin-breakglass' });
    expect(result('workload-identity.privileged', role)).toBeUndefined();
    expect(result('workload-identity.privileged', { ...role, privileged: true, privilegedReason: 'attached policy AdministratorAccess' })?.message).toBe(
      'Workload identity holds administrator-level permissions: attached policy AdministratorAccess',
    );
  });

  it('secret.rotation flags a stored secret without rotation and passes a rotated one', () => {
    const secret = makeIdentity({ type: 'secret', displayName: 'billing/partner-api-key' });
    expect(result('secret.rotation', { ...secret, rotation: { enabled: true, lastRotatedAt: daysFromNow(-10) } })).toBeUndefined();
    expect(result('secret.rotation', secret)).toBeUndefined();
    expect(result('secret.rotation', { ...secret, rotation: { enabled: false } })?.message).toBe('Secret is never rotated (rotation disabled)');
    expect(result('secret.rotation', { ...secret, rotation: { enabled: false, lastRotatedAt: '2025-01-02T00:00:00Z' } })?.message).toBe(
      'Secret rotation is disabled (last rotated 2025-01-02)',
    );
  });
});

import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DefaultPolicyEngine } from './DefaultPolicyEngine';
import { daysFromNow, makeContext, makeIdentity } from './__fixtures__/identities';

const engine = DefaultPolicyEngine.create();

function token(overrides: Partial<Identity> = {}): Identity {
  return makeIdentity({
    type: 'api-token',
    displayName: 'github-actions-deploy',
    notBefore: daysFromNow(-10),
    notAfter: daysFromNow(80),
    storage: 'vault',
    lastUsedAt: daysFromNow(-1),
    scopes: ['read:packages'],
    ...overrides,
  });
}

const result = (ruleId: string, identity: Identity) =>
  engine.evaluate(identity, makeContext()).find(r => r.ruleId === ruleId);

describe('API token rules', () => {
  it('finds nothing wrong with a short-lived, narrow token in a secrets manager', () => {
    expect(engine.evaluate(token(), makeContext())).toEqual([]);
  });

  it('token.lifetime passes exactly 90 days, warns at 91 and errors on no expiry', () => {
    expect(result('token.lifetime', token({ notBefore: daysFromNow(-1), notAfter: daysFromNow(89) }))).toBeUndefined();
    expect(result('token.lifetime', token({ notBefore: daysFromNow(-1), notAfter: daysFromNow(90) }))?.message).toBe(
      'Token lifetime of 91 days exceeds the 90-day maximum',
    );
    expect(result('token.lifetime', token({ notAfter: undefined }))?.severity).toBe('error');
    // Without notBefore the lifetime counts from when Keyring first saw it.
    expect(result('token.lifetime', token({ notBefore: undefined, firstSeen: daysFromNow(-30), notAfter: daysFromNow(61) }))).toBeDefined();
  });

  it('token.storage flags values kept outside a secrets manager', () => {
    expect(result('token.storage', token({ storage: 'Vault' }))).toBeUndefined();
    expect(result('token.storage', token({ storage: 'kubernetes-secret' }))?.message).toBe(
      'Token is stored in kubernetes-secret, outside a secrets manager',
    );
    expect(result('token.storage', token({ storage: 'file' }))?.severity).toBe('warning');
    expect(result('token.storage', token({ storage: undefined }))).toBeUndefined();
  });

  it('token.unused passes 90 days without use and warns at 91; unknown use is not judged', () => {
    expect(result('token.unused', token({ lastUsedAt: daysFromNow(-90) }))).toBeUndefined();
    expect(result('token.unused', token({ lastUsedAt: daysFromNow(-91) }))?.details?.limitDays).toBe(90);
    expect(result('token.unused', token({ lastUsedAt: undefined }))).toBeUndefined();
  });

  it('token.scope flags wildcard and admin scopes', () => {
    expect(result('token.scope', token({ scopes: ['read:packages', 'write:packages'] }))).toBeUndefined();
    expect(result('token.scope', token({ scopes: ['*'] }))?.details?.broadScopes).toEqual(['*']);
    expect(result('token.scope', token({ scopes: ['s3:*', 'read:org'] }))?.details?.broadScopes).toEqual(['s3:*']);
    expect(result('token.scope', token({ scopes: ['read:org', 'ADMIN:ORG', 'repo'] }))?.message).toBe(
      'Token has 2 scopes broader than needed: ADMIN:ORG, repo',
    );
  });
});

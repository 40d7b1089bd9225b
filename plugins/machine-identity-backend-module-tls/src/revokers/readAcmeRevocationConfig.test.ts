import { ConfigReader } from '@backstage/config';
import type { RevocationTarget } from '@keyring/plugin-machine-identity-node';
import { AcmeRevoker } from './AcmeRevoker';
import { issuedBy, readAcmeRevocationConfig } from './readAcmeRevocationConfig';

const ca = (over: Record<string, unknown> = {}) => ({
  id: 'letsencrypt',
  directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
  accountKeyFile: '/etc/keyring/acme/account.pem',
  issuers: ['CN = R1*, O = Let\'s Encrypt, C = US'],
  ...over,
});
const read = (acme: Array<Record<string, unknown>>) => readAcmeRevocationConfig(new ConfigReader({ machineIdentity: { revocation: { acme } } } as any));

describe('machineIdentity.revocation.acme', () => {
  it('reads each CA and matches issuers by pattern, case-insensitively', () => {
    const [settings] = read([ca({ caBundleFile: '/etc/keyring/acme/ca.pem' })]);
    expect(settings).toEqual({ ...ca(), caBundleFile: '/etc/keyring/acme/ca.pem' });
    expect(issuedBy(settings, "CN = R11, O = Let's Encrypt, C = US")).toBe(true);
    expect(issuedBy(settings, "cn = r10, o = let's encrypt, c = us")).toBe(true);
    expect(issuedBy(settings, "CN = E5, O = Let's Encrypt, C = US")).toBe(false);
    expect(issuedBy(settings, 'CN = R1 (evil), O = Other')).toBe(false);
    expect(issuedBy(settings, undefined)).toBe(false);
  });

  it('refuses plain-HTTP directories, duplicate or non-kebab ids and empty issuer lists', () => {
    expect(() => read([ca({ directoryUrl: 'http://127.0.0.1:14000/dir' })])).toThrow(/must be https/);
    expect(() => read([ca(), ca()])).toThrow(/used twice/);
    expect(() => read([ca({ id: 'Lets Encrypt' })])).toThrow(/kebab-case/);
    expect(() => read([ca({ issuers: [] })])).toThrow(/at least one issuer/);
  });

  it('is absent without config, and revokes only leaf certificates of a configured issuer seen by a TLS or file scan', () => {
    expect(AcmeRevoker.fromConfig(new ConfigReader({}))).toBeUndefined();
    const revoker = AcmeRevoker.fromConfig(new ConfigReader({ machineIdentity: { revocation: { acme: [ca()] } } }))!;
    const target = (identity: Record<string, unknown>, sourceType = 'tls') =>
      ({
        requestId: 'r1',
        reason: 'retired',
        identity: { type: 'tls-certificate', issuer: "CN = R11, O = Let's Encrypt, C = US", ...identity },
        observations: [{ sourceId: 's', location: '127.0.0.1:443', source: { id: 's', type: sourceType } }],
      }) as unknown as RevocationTarget;
    expect(revoker.canRevoke(target({}))).toBe(true);
    expect(revoker.canRevoke(target({}, 'certificate-files'))).toBe(true);
    expect(revoker.canRevoke(target({}, 'kubernetes'))).toBe(false);
    expect(revoker.canRevoke(target({ isCa: true }))).toBe(false);
    expect(revoker.canRevoke(target({ issuer: 'CN = Internal Issuing CA' }))).toBe(false);
    expect(revoker.canRevoke(target({ type: 'ssh-key' }))).toBe(false);
  });
});

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { validateDiscovery } from './validateDiscovery';

const base: MachineIdentityDiscovery = {
  type: 'ssh-key',
  fingerprintSha256: 'a'.repeat(64),
  displayName: 'deploy key',
  attributes: { keyAlgorithm: 'ed25519', keySize: 256, comment: 'deploy@ci', extra: { openSshFingerprint: `SHA256:${randomBytes(32).toString('base64').slice(0, 43)}` } },
  location: 'web-1:/home/deploy/.ssh/authorized_keys:1',
  details: {
    openSshFingerprint: `SHA256:${randomBytes(32).toString('base64').slice(0, 43)}`,
    path: '/var/lib/kubelet/pods/0b6c1f9e-4f1e-4d2a-9d0e-6d0c3b1f2e4a/volumes/kubernetes.io~secret/tls',
    cipher: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    options: [{ name: 'from', value: '10.0.0.0/8' }, { name: 'command', redacted: true }],
  },
  links: { sshHosts: ['web-1'], sshAccounts: ['deploy'] },
  ownerHint: { owner: 'group:default/payments', via: 'ssh key comment "owner=payments"' },
  firstSeenEvidence: '2026-01-02T03:04:05.000Z',
};
const token = `ghp_${randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)}`;
const randomSecret = randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, 'Q');
const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const openSshKey = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----`;
const withDetails = (details: Record<string, unknown>) => ({ ...base, details: { ...base.details, ...details } });

describe('validateDiscovery', () => {
  it('accepts what the real scanners report: fingerprints, paths, cipher names, redacted options', () => {
    expect(validateDiscovery(base)).toBeUndefined();
  });

  it.each([
    ['a PEM private key in details', withDetails({ note: pem }), /details\.note looks like a private key/],
    ['an OpenSSH private key in an attribute', { ...base, attributes: { comment: openSshKey } }, /attributes\.comment looks like a private key/],
    ['a token in the display name', { ...base, displayName: `token ${token}` }, /displayName looks like a token/],
    ['a token deep in details', withDetails({ env: [{ values: [token] }] }), /details\.env\[0\]\.values\[0\] looks like a token/],
    ['a long random string in details', withDetails({ header: `X-Api-Key: ${randomSecret}` }), /details\.header looks like a long base64 string/],
    ['a long hex secret in details', withDetails({ key: randomBytes(32).toString('hex') }), /details\.key looks like a long hex string/],
    ['an environment= value written out', withDetails({ raw: 'environment="TOKEN=abc"' }), /looks like an environment= value/],
    ['an environment option that kept its value', withDetails({ options: [{ name: 'environment', value: 'TOKEN=x' }] }), /keeps the value of a environment= option/],
    ['a command option that kept its value', withDetails({ options: [{ name: 'command', value: 'backup.sh' }] }), /keeps the value of a command= option/],
  ])('refuses %s', (_what, discovery, reason) => {
    const why = validateDiscovery(discovery);
    expect(why).toMatch(reason);
    // The reason names the field, never the value.
    for (const secret of [token, randomSecret, pem.split('\n')[1]]) expect(why).not.toContain(secret);
  });

  it.each([
    ['an unknown attribute', { ...base, attributes: { password: 'x' } }, /attributes\.password is not a known attribute/],
    ['a wrongly typed attribute', { ...base, attributes: { keySize: '256' } }, /attributes\.keySize is not a number/],
    ['an extra value that is an object', { ...base, attributes: { extra: { a: { b: 1 } } } }, /attributes\.extra holds a value/],
    ['oversized details', withDetails({ blob: Array.from({ length: 900 }, (_, i) => `line ${i} of some text`) }), /details are larger than 16384 bytes/],
    ['details nested too deep', withDetails({ a: { b: { c: { d: { e: { f: 1 } } } } } }), /nested deeper than 5 levels/],
    ['a function in details', withDetails({ f: () => 1 }), /details\.f is a function, not JSON/],
    ['an unknown link kind', { ...base, links: { emails: ['a@b'] } }, /links\.emails is not a known link/],
    ['a link that is not a list', { ...base, links: { sshHosts: 'web-1' } }, /links\.sshHosts is not a list/],
    ['an owner hint with an unknown field', { ...base, ownerHint: { via: 'x', team: 'payments' } }, /ownerHint\.team is not a known field/],
    ['an owner hint without via', { ...base, ownerHint: { owner: 'group:default/a' } }, /ownerHint\.via is missing/],
    ['a bad first-seen time', { ...base, firstSeenEvidence: 'yesterday' }, /firstSeenEvidence is not an ISO-8601 time/],
  ])('checks the shape: %s', (_what, discovery, reason) => {
    const why = validateDiscovery(discovery);
    if (reason) expect(why).toMatch(reason);
    else expect(why).toBeUndefined();
  });

  it('refuses a circular structure without throwing, and accepts an object shared twice', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(validateDiscovery(withDetails({ circular }))).toMatch(/details\.circular\.self is circular/);
    const shared = { a: 1 };
    expect(validateDiscovery(withDetails({ x: shared, y: shared }))).toBeUndefined();
  });
});

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ownerHintFromComment } from '../toDiscovery';
import { parseSshKeyLine } from './parseSshKeyLine';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');
const ed25519 = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/ed25519_1.pub'), 'utf8').trim();
const [edType, edData] = ed25519.split(' ');
const blob = Buffer.from(edData, 'base64');

function wire(...parts: Array<string | Buffer>): string {
  return Buffer.concat(
    parts.map(p => {
      const b = typeof p === 'string' ? Buffer.from(p) : p;
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    }),
  ).toString('base64');
}

const error = (line: string, format: 'authorized_keys' | 'known_hosts' = 'authorized_keys') => {
  const result = parseSshKeyLine(line, format);
  return result.kind === 'error' ? result.message : `not an error: ${result.kind}`;
};

describe('parseSshKeyLine', () => {
  it('reads options case-insensitively, with tabs as separators and a CRLF ending', () => {
    const result = parseSshKeyLine(`No-Pty,FROM="a b,c"\t${edType}\t${edData}\tmy key\r`, 'authorized_keys');
    expect(result).toMatchObject({
      kind: 'key',
      entry: { options: [{ name: 'no-pty' }, { name: 'from', value: 'a b,c' }], comment: 'my key' },
    });
  });

  it('rejects broken options, types and key data with a precise message', () => {
    expect(error(`command="x ${ed25519}`)).toBe('unterminated quote in key options');
    expect(error(`restrict,,no-pty ${ed25519}`)).toMatch(/empty option/);
    expect(error(`restrict, ${ed25519}`)).toMatch(/no key after the options|trailing comma/);
    expect(error(`from=10.0.0.1 ${ed25519}`)).toBe('option from needs a quoted value');
    expect(error(`ssh-foo ${edData}`)).toBe('unsupported key type (a word of 7 characters)');
    expect(error('1024 35 1234567 old-rsa1')).toBe('SSH-1 RSA keys are not supported');
    expect(error(`ssh-rsa ${edData}`)).toBe('key type ssh-rsa does not match the key data (ssh-ed25519)');
    expect(error(`${edType} ${Buffer.concat([blob, Buffer.from([0, 0, 0, 0])]).toString('base64')}`)).toMatch(/trailing/);
    expect(error(`${edType} ${blob.subarray(0, blob.length - 3).toString('base64')}`)).toMatch(/truncated|length|Ed25519/i);
    expect(error(`ecdsa-sha2-nistp256 ${wire('ecdsa-sha2-nistp256', 'nistp384', Buffer.alloc(65, 4))}`)).toMatch(/curve nistp384 does not match/);
    expect(error(`sk-ssh-ed25519@openssh.com ${wire('sk-ssh-ed25519@openssh.com', Buffer.alloc(31))}`)).toMatch(/Ed25519 public key length/);
    expect(error(`${edType} AAAA$$$$`)).toBe('key data of ssh-ed25519 is not base64');
    expect(error(`|1|abc ${ed25519}`, 'known_hosts')).toBe('malformed hashed host name');
    expect(error(ed25519, 'known_hosts')).toBe('no host patterns before the key');
  });

  it('reads security keys built from the wire format', () => {
    const sk = wire('sk-ssh-ed25519@openssh.com', blob.subarray(19, 51), 'ssh:payments');
    const result = parseSshKeyLine(`sk-ssh-ed25519@openssh.com ${sk} yubikey`, 'authorized_keys');
    expect(result).toMatchObject({
      kind: 'key',
      entry: { key: { keySize: 256, keyAlgorithm: 'ed25519', securityKey: true, application: 'ssh:payments', label: 'ED25519-SK' } },
    });
  });

  it('stops at a private key line', () => {
    expect(parseSshKeyLine('-----BEGIN OPENSSH PRIVATE KEY-----', 'authorized_keys')).toEqual({ kind: 'private-key' });
    expect(parseSshKeyLine('PuTTY-User-Key-File-3: ssh-ed25519', 'known_hosts')).toEqual({ kind: 'private-key' });
    expect(parseSshKeyLine('   # -----BEGIN RSA PRIVATE KEY-----', 'authorized_keys')).toEqual({ kind: 'blank' });
  });
});

describe('ownerHintFromComment', () => {
  it('only takes explicit owner, team and component tokens', () => {
    expect(ownerHintFromComment('alice@laptop')).toBeUndefined();
    expect(ownerHintFromComment('owner: payments')).toBeUndefined();
    expect(ownerHintFromComment(undefined)).toBeUndefined();
    expect(ownerHintFromComment('deploy@ci team=payments component=payments-api')).toEqual({
      owner: 'group:default/payments',
      component: 'payments-api',
      via: 'ssh key comment "deploy@ci team=payments component=payments-api"',
      // Since 967b18f comment hints only fill a gap in ownership.
      fillsGapOnly: true,
    });
    expect(ownerHintFromComment('owner=group:ops/sre')?.owner).toBe('group:ops/sre');
  });
});

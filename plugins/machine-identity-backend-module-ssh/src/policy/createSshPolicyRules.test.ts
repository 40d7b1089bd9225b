import { ConfigReader } from '@backstage/config';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { PolicyContext } from '@keyring/plugin-machine-identity-node';
import {
  daysFromNow,
  evaluatePolicyRules,
  makePolicyContext as makeContext,
  makeTestIdentity as makeIdentity,
} from '@keyring/plugin-machine-identity-node/testUtils';
import { canonicalSshKeyType, createSshPolicyRules } from './createSshPolicyRules';
import { readSshPolicySettings } from './SshPolicySettings';

const rules = createSshPolicyRules();
const engine = { evaluate: (identity: Identity, context: PolicyContext) => evaluatePolicyRules(rules, identity, context) };


function sshKey(overrides: Partial<Identity> = {}): Identity {
  return makeIdentity({
    type: 'ssh-key',
    displayName: 'deploy@build-01',
    sshKeyType: 'ssh-ed25519',
    keyAlgorithm: 'ed25519',
    keySize: 256,
    comment: 'deploy@build-01',
    management: 'manual',
    ...overrides,
  });
}

function result(ruleId: string, identity: Identity, context: PolicyContext = makeContext()) {
  return engine.evaluate(identity, context).find(r => r.ruleId === ruleId);
}

describe('SSH rules', () => {
  it('finds nothing wrong with a fresh, commented ed25519 key', () => {
    expect(engine.evaluate(sshKey(), makeContext())).toEqual([]);
  });

  describe('ssh.algorithm', () => {
    it('passes ed25519 and sk-ed25519 in wire, certificate and ssh-keygen spellings', () => {
      for (const sshKeyType of [
        'ssh-ed25519',
        'sk-ssh-ed25519@openssh.com',
        'ssh-ed25519-cert-v01@openssh.com',
        'ED25519',
        'ED25519-SK',
        'ED25519-CERT',
      ]) {
        expect(result('ssh.algorithm', sshKey({ sshKeyType }))).toBeUndefined();
      }
    });

    it('warns for rsa-3072 and ECDSA, errors for rsa-3071, rsa-2048 and DSA', () => {
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'ssh-rsa', keySize: 3072 }))?.severity).toBe('warning');
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'RSA', keySize: 4096 }))?.severity).toBe('warning');
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'ecdsa-sha2-nistp256', keySize: 256 }))?.severity).toBe('warning');
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'ECDSA-SK', keySize: 256 }))?.severity).toBe('warning');
      const small = result('ssh.algorithm', sshKey({ sshKeyType: 'ssh-rsa', keySize: 3071 }));
      expect(small?.severity).toBe('error');
      expect(small?.message).toBe('RSA key of 3071 bits is below the 3072-bit minimum');
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'ssh-rsa', keySize: 2048 }))?.severity).toBe('error');
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'ssh-dss', keySize: 1024 }))?.severity).toBe('error');
      expect(result('ssh.algorithm', sshKey({ sshKeyType: 'DSA', keySize: 1024 }))?.severity).toBe('error');
    });

    it('follows configured key types and RSA minimum', () => {
      const lenient = createSshPolicyRules({ allowedKeyTypes: ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256'], minRsaBits: 2048 });
      const of = (i: Identity) => evaluatePolicyRules(lenient, i, makeContext()).find(r => r.ruleId === 'ssh.algorithm');
      expect(of(sshKey({ sshKeyType: 'ssh-rsa', keySize: 2048 }))).toBeUndefined();
      expect(of(sshKey({ sshKeyType: 'ssh-rsa', keySize: 2047 }))?.severity).toBe('error');
      expect(of(sshKey({ sshKeyType: 'ecdsa-sha2-nistp256' }))).toBeUndefined();
      expect(of(sshKey({ sshKeyType: 'ecdsa-sha2-nistp384' }))?.severity).toBe('warning');
      expect(of(sshKey({ sshKeyType: 'sk-ssh-ed25519@openssh.com' }))?.severity).toBe('warning');
    });

    it('canonicalises key type spellings', () => {
      expect(canonicalSshKeyType(sshKey({ sshKeyType: 'RSA-CERT' }))).toBe('ssh-rsa');
      expect(canonicalSshKeyType(sshKey({ sshKeyType: 'ECDSA', keySize: 384 }))).toBe('ecdsa-sha2-nistp384');
      expect(canonicalSshKeyType(sshKey({ sshKeyType: 'ssh-dss-cert-v01@openssh.com' }))).toBe('ssh-dss');
    });
  });

  describe('ssh.age', () => {
    it('passes a key first seen exactly 365 days ago and warns at 366', () => {
      expect(result('ssh.age', sshKey({ firstSeen: daysFromNow(-365) }))).toBeUndefined();
      expect(result('ssh.age', sshKey({ firstSeen: daysFromNow(-364) }))).toBeUndefined();
      const old = result('ssh.age', sshKey({ firstSeen: daysFromNow(-366) }));
      expect(old?.severity).toBe('warning');
      expect(old?.message).toBe('Key first seen 366 days ago, older than the 365-day maximum');
    });
  });

  describe('ssh.shared', () => {
    it('flags a key under two accounts, from the context count or the observations', () => {
      expect(result('ssh.shared', sshKey(), makeContext({ distinctAccounts: 1 }))).toBeUndefined();
      expect(result('ssh.shared', sshKey(), makeContext({ distinctAccounts: 2 }))?.message).toBe(
        'The same key is authorized for 2 different accounts',
      );
      const seen = (account: string, location: string) => ({
        sourceId: 'fleet-keys',
        location,
        firstSeen: daysFromNow(-1),
        lastSeen: daysFromNow(0),
        details: { account },
      });
      expect(
        result('ssh.shared', sshKey(), makeContext({ observations: [seen('deploy', 'a:1'), seen('deploy', 'b:1')] })),
      ).toBeUndefined();
      expect(
        result('ssh.shared', sshKey(), makeContext({ observations: [seen('deploy', 'a:1'), seen('root', 'a:2'), seen('ci', 'b:1')] }))?.details,
      ).toEqual({ accounts: 3 });
    });

    it('counts the same account name on two hosts as two logins, and one login seen twice as one', () => {
      const on = (account: string, host: string, location: string) => ({
        sourceId: 'fleet-keys',
        location,
        firstSeen: daysFromNow(-1),
        lastSeen: daysFromNow(0),
        details: { account, host },
      });
      expect(
        result('ssh.shared', sshKey(), makeContext({ observations: [on('deploy', 'web-01', 'a:1'), on('deploy', 'web-02', 'b:1')] }))?.details,
      ).toEqual({ accounts: 2 });
      expect(
        result('ssh.shared', sshKey(), makeContext({ observations: [on('deploy', 'web-01', 'a:1'), on('deploy', 'web-01', 'a:7')] })),
      ).toBeUndefined();
    });
  });

  describe('ssh.unknown-owner', () => {
    it('flags a key with no comment that only the fallback owns', () => {
      const orphan = sshKey({ comment: '  ', ownershipRule: 'fallback', owner: 'group:default/security' });
      expect(result('ssh.unknown-owner', orphan)?.severity).toBe('warning');
      expect(result('ssh.unknown-owner', { ...orphan, comment: 'alice@laptop' })).toBeUndefined();
      expect(result('ssh.unknown-owner', { ...orphan, ownershipRule: 'component-annotation' })).toBeUndefined();
    });
  });

  describe('thresholds from machineIdentity.policies.ssh', () => {
    const read = (ssh: object) => readSshPolicySettings(new ConfigReader({ machineIdentity: { policies: { ssh } } }));

    it('reads the keys onto the defaults', () => {
      const parameters = Object.fromEntries(
        createSshPolicyRules(read({ minRsaBits: 2048, maxAgeDays: 30 })).map(r => [r.id, r.parameters({} as never)]),
      );
      expect(parameters['ssh.algorithm']).toEqual({
        allowedKeyTypes: ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com'],
        minRsaBits: 2048,
      });
      expect(parameters['ssh.age']).toEqual({ maxAgeDays: 30 });
    });

    it('refuses a threshold that is not positive', () => {
      expect(() => read({ maxAgeDays: 0 })).toThrow(/ssh\.maxAgeDays must be a positive number/);
    });
  });
});

/*
 * Policy evaluation at scale: every rule (the TLS and SSH modules' and the core's) over 300,000 constructed
 * identities of mixed types on one core (the event loop thread), against
 * `openssl x509 -checkend` — the usual shell answer to "which certificates
 * expire soon?" — run over real certificate files from the corpora.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Identity, IdentityType } from '@keyring/plugin-machine-identity-common';
import { createSshPolicyRules } from '../plugins/machine-identity-backend-module-ssh/src/policy/createSshPolicyRules';
import { createTlsPolicyRules } from '../plugins/machine-identity-backend-module-tls/src/policy/createTlsPolicyRules';
import { DefaultPolicyEngine } from '../plugins/machine-identity-backend/src/policy/DefaultPolicyEngine';
import type { PolicyContext } from '../plugins/machine-identity-backend/src/policy/types';

const TOTAL = 300_000;
const PEER_FILES = 200;
const DAY = 86_400_000;
const execFileAsync = promisify(execFile);

/** A deterministic mix of identities: 60% TLS, 25% SSH, 8% tokens, 7% service accounts. */
function constructIdentities(now: Date): Array<{ identity: Identity; context: PolicyContext }> {
  const items: Array<{ identity: Identity; context: PolicyContext }> = [];
  const iso = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  const rsa = [1024, 2048, 3072, 4096];
  const ssh = ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ssh-dss'];
  for (let i = 0; i < TOTAL; i++) {
    const r = i % 100;
    const type: IdentityType =
      r < 60 ? 'tls-certificate' : r < 85 ? 'ssh-key' : r < 93 ? 'api-token' : 'service-account';
    const lifetime = [47, 90, 365, 398, 825][i % 5];
    const start = -((i * 7) % lifetime) - 1;
    const identity: Identity = {
      id: `id-${i}`,
      type,
      fingerprintSha256: i.toString(16).padStart(64, '0'),
      displayName: type === 'service-account' ? (i % 3 ? `ns/svc-team${i % 40}-api` : `ns/deploy-${i}`) : `host-${i}.example.test`,
      owner: i % 11 ? `group:default/team-${i % 40}` : 'group:default/security',
      ownershipRule: i % 11 ? 'component-annotation' : 'fallback',
      state: 'active',
      management: i % 4 ? 'automated' : 'manual',
      firstSeen: iso(-(i % 500)),
      lastSeen: iso(0),
      observationCount: 1,
      violationCount: 0,
      reviewStatus: 'reviewed',
    };
    if (type === 'tls-certificate') {
      Object.assign(identity, {
        notBefore: iso(start),
        notAfter: iso(start + lifetime),
        keyAlgorithm: i % 2 ? 'RSA' : 'EC',
        keySize: i % 2 ? rsa[i % 4] : 256,
        curve: i % 2 ? undefined : i % 10 === 4 ? 'P-224' : 'P-256',
        signatureAlgorithm: i % 50 ? 'sha256WithRSAEncryption' : 'sha1WithRSAEncryption',
        selfSigned: i % 30 === 0,
        chainTrusted: i % 20 !== 0,
        publiclyTrusted: i % 3 === 0,
      });
    } else if (type === 'ssh-key') {
      Object.assign(identity, { sshKeyType: ssh[i % 5], keySize: rsa[i % 4], comment: i % 6 ? `u${i}@h` : '' });
    } else if (type === 'api-token') {
      Object.assign(identity, {
        notBefore: iso(start),
        notAfter: i % 9 ? iso(start + lifetime) : undefined,
        storage: i % 3 ? 'vault' : 'kubernetes-secret',
        lastUsedAt: iso(-(i % 200)),
        scopes: i % 5 ? ['read:packages'] : ['repo', 'admin:org'],
      });
    } else {
      Object.assign(identity, { admin: i % 13 === 0, staticKeys: i % 4 });
    }
    items.push({
      identity,
      context: {
        now,
        observations: [],
        componentLifecycle: i % 2 ? 'production' : 'experimental',
        distinctAccounts: 1 + (i % 7 === 0 ? 1 : 0),
      },
    });
  }
  return items;
}

async function opensslPeer(): Promise<{ files: number; ms: number } | undefined> {
  const dir = path.resolve(__dirname, '../../shared/corpora/zlint/testdata');
  let files: string[];
  try {
    files = readdirSync(dir).filter(f => f.endsWith('.pem')).slice(0, PEER_FILES);
  } catch {
    return undefined;
  }
  const started = process.hrtime.bigint();
  for (const file of files) {
    // Exit status 1 means "expires within the window": an answer, not a failure.
    await execFileAsync('openssl', ['x509', '-checkend', String(30 * 86400), '-noout', '-in', path.join(dir, file)]).catch(
      () => undefined,
    );
  }
  return { files: files.length, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Prints evaluation time for 300,000 identities and the per-item ratio against openssl. */
export async function run(): Promise<void> {
  const now = new Date('2026-11-20T12:00:00Z');
  // The engine of a backend with the TLS and SSH modules: their rules, then the core's.
  const engine = DefaultPolicyEngine.create({
    moduleRules: [...createTlsPolicyRules({ approvedIssuers: ['/etc/keyring/ca/root.pem'] }), ...createSshPolicyRules()],
  });
  const items = constructIdentities(now);
  // Warm up the JIT on a slice, as a long-running backend would be.
  for (let i = 0; i < 20_000; i++) {
    engine.evaluate(items[i].identity, items[i].context);
  }
  const times: number[] = [];
  let violations = 0;
  for (let round = 0; round < 3; round++) {
    violations = 0;
    const started = process.hrtime.bigint();
    for (const { identity, context } of items) {
      violations += engine.evaluate(identity, context).length;
    }
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const best = Math.min(...times);
  const rules = engine.describe().length;
  console.log(
    `Evaluated ${rules} rules over ${TOTAL.toLocaleString('en-US')} identities (60% TLS, 25% SSH, 8% token, 7% service account) on one core: ` +
      `${(best / 1000).toFixed(2)} s best of 3 (${times.map(t => (t / 1000).toFixed(2)).join(' / ')} s), ` +
      `${Math.round(TOTAL / (best / 1000)).toLocaleString('en-US')} identities/s, ${violations.toLocaleString('en-US')} violations. Target < 2 s: ${best < 2000 ? 'met' : 'MISSED'}.`,
  );
  const peer = await opensslPeer();
  if (!peer) {
    console.log('Peer skipped: corpora/zlint/testdata not found.');
    return;
  }
  const keyringPerItem = best / TOTAL;
  const peerPerItem = peer.ms / peer.files;
  console.log(
    `Peer: \`openssl x509 -checkend 2592000\` (one process per file, ONE check: expiry within 30 days) over ${peer.files} real PEM files: ` +
      `${(peer.ms / 1000).toFixed(2)} s, ${peerPerItem.toFixed(2)} ms per certificate.`,
  );
  console.log(
    `Per item: Keyring ${(keyringPerItem * 1000).toFixed(2)} µs per identity for all ${rules} rules (no parsing, identities already in memory) vs ` +
      `openssl ${(peerPerItem * 1000).toFixed(0)} µs per certificate for one expiry check (process start + PEM parse) — ` +
      `openssl/Keyring per-item ratio ${(peerPerItem / keyringPerItem).toFixed(0)}×.`,
  );
}

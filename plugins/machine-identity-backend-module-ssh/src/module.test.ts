import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBackendPlugin, coreServices } from '@backstage/backend-plugin-api';
import { TestDatabases, startTestBackend } from '@backstage/backend-test-utils';
import {
  type MachineIdentityRevoker,
  type MachineIdentityScanner,
  type PolicyRule,
  machineIdentityPolicyRulesExtensionPoint,
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { machineIdentityModuleSsh } from './module';
import { startSshBackend } from './testing/startSshBackend';
import {
  generateKey,
  runScanner,
  sshKeygenFingerprints,
  startSshd,
  tempDir,
  type TestSshd,
} from './testing/sshTestUtils';

/** A small fleet: one deploy key in three accounts, one key per user. */
function buildFleet(dir: string) {
  const keys = join(dir, 'keys');
  const deploy = generateKey(keys, 'deploy', 'ed25519', { comment: 'deploy@ci' });
  const alice = generateKey(keys, 'alice', 'rsa', { bits: 2048, comment: 'alice@laptop' });
  const paths: Record<string, string[]> = {
    'web-1/home/alice': [deploy.line, alice.line, 'not a key line'],
    'web-1/home/bob': [`restrict ${deploy.line}`],
    'db-1/home/deploy': [`from="127.0.0.1" ${deploy.line}`],
  };
  for (const [home, lines] of Object.entries(paths)) {
    mkdirSync(join(dir, 'fleet', home, '.ssh'), { recursive: true });
    writeFileSync(join(dir, 'fleet', home, '.ssh/authorized_keys'), `${lines.join('\n')}\n`);
  }
  return { fleet: join(dir, 'fleet'), deploy, alice };
}

describe('machineIdentityModuleSsh', () => {
  let dir: string;
  let sshd: TestSshd;
  let fleet: ReturnType<typeof buildFleet>;

  beforeAll(async () => {
    dir = tempDir();
    fleet = buildFleet(dir);
    sshd = await startSshd(join(dir, 'sshd'), ['ed25519', 'ecdsa']);
  });
  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the ssh-files and ssh-hosts scanners, the authorized_keys revoker and the ssh.* policy rules on the machine-identity extension points', async () => {
    const registered: MachineIdentityScanner[] = [];
    const revokers: MachineIdentityRevoker[] = [];
    const rules: PolicyRule[] = [];
    let initialised = false;
    const owner = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, {
          addScanner: (...scanners) => registered.push(...scanners),
        });
        env.registerExtensionPoint(machineIdentityRevokersExtensionPoint, {
          addRevoker: (...added) => revokers.push(...added),
        });
        env.registerExtensionPoint(machineIdentityPolicyRulesExtensionPoint, {
          addPolicyRule: (...added) => rules.push(...added),
        });
        env.registerInit({
          deps: { logger: coreServices.logger },
          async init() {
            initialised = true;
          },
        });
      },
    });
    const backend = await startTestBackend({ features: [owner, machineIdentityModuleSsh] });
    try {
      expect(initialised).toBe(true);
      expect(registered.map(s => [...s.sourceTypes])).toEqual([['ssh-files'], ['ssh-hosts']]);
      expect(revokers.map(r => r.id)).toEqual(['ssh-authorized-keys']);
      expect(rules.map(r => r.id)).toEqual(['ssh.algorithm', 'ssh.age', 'ssh.shared', 'ssh.unknown-owner']);
      const files = registered.find(s => s.sourceTypes.includes('ssh-files'))!;
      const outcome = await runScanner(files, { type: 'ssh-files', paths: [`${fleet.fleet}/**/authorized_keys`] });
      expect(outcome.discoveries).toHaveLength(4);
      expect(outcome.problems).toEqual([
        { location: `${fleet.fleet}/web-1/home/alice/.ssh/authorized_keys:3`, message: 'unsupported key type (a word of 3 characters)', incomplete: false },
      ]);
    } finally {
      await backend.stop();
    }
  });

  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'scans files and a live sshd through the real backend plugin into one identity per key (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, http, auth, scan } = await startSshBackend(knex, {
        sources: [
          { id: 'fleet-keys', type: 'ssh-files', paths: [`${fleet.fleet}/**/authorized_keys`] },
          { id: 'fleet-host-keys', type: 'ssh-hosts', targets: [`127.0.0.1:${sshd.port}`] },
        ],
      });
      try {
        const files = await scan('fleet-keys');
        // A malformed line is reported but does not make the run partial.
        expect(files).toMatchObject({ status: 'succeeded', seen: 2, added: 2 });
        expect(files.errors).toEqual([
          { location: `${fleet.fleet}/web-1/home/alice/.ssh/authorized_keys:3`, message: 'unsupported key type (a word of 3 characters)' },
        ]);
        const hosts = await scan('fleet-host-keys');
        expect(hosts).toMatchObject({ status: 'succeeded', seen: 2, added: 2 });

        const list = await http.get('/api/machine-identity/identities?type=ssh-key&limit=50').set('Authorization', auth);
        expect(list.status).toBe(200);
        expect(list.body.items).toHaveLength(4);
        const deployFp = sshKeygenFingerprints(fleet.deploy.publicKeyPath)[0];
        const deploy = list.body.items.find((i: any) => i.comment === 'deploy@ci');
        expect(deploy).toMatchObject({ keyAlgorithm: 'ed25519', keySize: 256, sshKeyType: 'ssh-ed25519', observationCount: 3 });
        expect(Buffer.from(deploy.fingerprintSha256, 'hex').toString('base64').replace(/=+$/, '')).toBe(deployFp.sha256.slice(7));
        const details = await http.get(`/api/machine-identity/identities/${deploy.id}`).set('Authorization', auth);
        expect(details.body.observations.map((o: any) => o.location).sort()).toEqual([
          `db-1:${fleet.fleet}/db-1/home/deploy/.ssh/authorized_keys:1`,
          `web-1:${fleet.fleet}/web-1/home/alice/.ssh/authorized_keys:1`,
          `web-1:${fleet.fleet}/web-1/home/bob/.ssh/authorized_keys:1`,
        ]);
        const hostKeyFps = sshd.hostKeyPublicPaths.map(p => sshKeygenFingerprints(p)[0].sha256).sort();
        const hostKeys = list.body.items.filter((i: any) => !i.comment);
        expect(hostKeys.map((i: any) => `SHA256:${Buffer.from(i.fingerprintSha256, 'hex').toString('base64').replace(/=+$/, '')}`).sort()).toEqual(hostKeyFps);
      } finally {
        await backend.stop();
      }
    },
  );
});

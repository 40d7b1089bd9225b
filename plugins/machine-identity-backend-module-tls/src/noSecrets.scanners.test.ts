import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { capturingRootLoggerFactory } from '@keyring/plugin-machine-identity-node/testUtils';
import machineIdentityModuleSsh from '@keyring/plugin-machine-identity-backend-module-ssh';
import knexFactory from 'knex';
import { makeCertificate } from './__testUtils__/testPki';
import { TestServers } from './__testUtils__/testServers';
import { startModuleBackend } from './__testUtils__/testBackend';

const token = (prefix: string, n: number) => `${prefix}${randomBytes(n).toString('base64').replace(/[^A-Za-z0-9]/g, 'z').slice(0, n)}`;

/** Base64 lines of a PEM private key, and slices of its DER, as needles. */
function keyNeedles(pem: string): string[] {
  const body = pem.split('\n').filter(l => l && !l.startsWith('-----') && !l.includes(':'));
  const der = Buffer.from(body.join(''), 'base64');
  const slices: string[] = [];
  for (let i = 16; i + 24 <= der.length; i += 40) slices.push(der.subarray(i, i + 24).toString('latin1'));
  return [...body.filter(l => l.length >= 40), ...slices];
}

describe('no secret material from the real TLS, certificate-files and SSH scanners', () => {
  const servers = new TestServers();
  let dir: string;
  afterAll(async () => {
    await servers.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps private keys, environment= and command= values and bare tokens out of the database, logs, API, and the real catalog\'s database and entities', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-nosecrets-'));
    const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
    // TLS endpoint and certificate files holding their private keys.
    const leaf = await makeCertificate({ subject: 'CN=secrets.example.test', keyType: 'rsa2048' });
    const port = await servers.tls('127.0.117.1', 0, { key: leaf.keyPem, cert: leaf.certPem });
    fs.mkdirSync(path.join(dir, 'certs'));
    fs.writeFileSync(path.join(dir, 'certs/bundle.pem'), leaf.keyPem + leaf.certPem);
    fs.writeFileSync(path.join(dir, 'leaf.key'), leaf.keyPem);
    fs.writeFileSync(path.join(dir, 'leaf.pem'), leaf.certPem);
    sh('openssl', 'pkcs12', '-export', '-in', 'leaf.pem', '-inkey', 'leaf.key', '-passout', 'pass:p12-secret-pass', '-out', 'certs/store.p12');
    const rsaPem = sh('openssl', 'pkey', '-in', 'leaf.key', '-traditional').toString();
    fs.writeFileSync(path.join(dir, 'certs/legacy.pem'), rsaPem + leaf.certPem);
    // SSH key lists with secrets in options, comments and bare lines, and a private key file.
    const ssh = path.join(dir, 'fleet/web-1/home/alice/.ssh');
    fs.mkdirSync(ssh, { recursive: true });
    sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'alice@laptop', '-f', path.join(ssh, 'id_ed25519'));
    const pub = fs.readFileSync(path.join(ssh, 'id_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const secrets = {
      environment: token('ghp_', 36),
      command: token('', 44),
      bare: token('glpat-', 24),
      comment: token('xoxb-', 30),
    };
    fs.writeFileSync(
      path.join(ssh, 'authorized_keys'),
      [
        `environment="DEPLOY_TOKEN=${secrets.environment}",command="/usr/bin/deploy --key ${secrets.command}" ${pub} deploy`,
        secrets.bare,
        `${pub} ci ${secrets.comment}`,
        '',
      ].join('\n'),
    );
    const sshPrivate = fs.readFileSync(path.join(ssh, 'id_ed25519'), 'utf8');

    const dbPath = path.join(dir, 'keyring.sqlite');
    const catalogDbPath = path.join(dir, 'catalog.sqlite');
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: dbPath }, useNullAsDefault: true });
    const catalogKnex = knexFactory({ client: 'better-sqlite3', connection: { filename: catalogDbPath }, useNullAsDefault: true });
    const lines: string[] = [];
    const { backend, http, scan, get: getRaw, pollCatalog } = await startModuleBackend({
      knex,
      catalogKnex,
      features: [machineIdentityModuleSsh, capturingRootLoggerFactory(lines)],
      machineIdentity: {
        sources: [
          { id: 'tls', type: 'tls', targets: [`127.0.117.1:${port}`] },
          { id: 'files', type: 'certificate-files', paths: [`${dir}/certs/*`], pkcs12Password: 'p12-secret-pass' },
          { id: 'keys', type: 'ssh-files', paths: [`${dir}/fleet/**/authorized_keys`, `${dir}/fleet/**/id_*`] },
        ],
      },
    });
    const responses: string[] = [];
    const catalogResponses: string[] = [];
    try {
      const get = async (url: string) => {
        const res = await getRaw(url);
        expect(res.status, url).toBe(200);
        responses.push(res.text);
        return res.body;
      };
      for (const source of ['tls', 'files', 'keys']) {
        const run = await scan(source, text => responses.push(text));
        expect(run.status, source).not.toBe('failed');
      }
      const page = await get('/identities?limit=500');
      for (const item of page.items) await get(`/identities/${item.id}`);
      for (const url of ['/summary', '/sources', '/changes?since=0', '/violations', '/policy', '/identities?q=ghp', '/identities?q=deploy']) {
        await get(url);
      }
      // Positive controls: the scanners did see the material's public halves.
      expect(page.items.map((i: any) => i.type).sort()).toEqual(['ssh-key', 'tls-certificate']);
      const all = responses.join('\n');
      expect(all).toContain('DEPLOY_TOKEN');
      expect(all).toContain('secrets.example.test');

      // The real catalog, fed by Keyring's catalog module from the change feed: every entity, processed and stitched.
      await pollCatalog();
      const auth = mockCredentials.user.header();
      let entities: any[] = [];
      for (let i = 0; i < 200; i++) {
        const res = await http.get('/api/catalog/entities/by-query?filter=kind=MachineIdentity&limit=500').set('Authorization', auth);
        entities = res.body.items ?? [];
        if (entities.length === page.items.length && entities.every(e => e.relations?.length)) {
          catalogResponses.push(res.text);
          break;
        }
        await new Promise(r => setTimeout(r, 100));
      }
      expect(entities).toHaveLength(page.items.length);
      for (const entity of entities) {
        const res = await http.get(`/api/catalog/entities/by-name/machineidentity/default/${entity.metadata.name}`).set('Authorization', auth);
        expect(res.status).toBe(200);
        catalogResponses.push(res.text);
      }
    } finally {
      await backend.stop();
      await knex.destroy();
      await catalogKnex.destroy();
    }

    const database = fs.readFileSync(dbPath).toString('latin1');
    const catalogDatabase = fs.readFileSync(catalogDbPath).toString('latin1');
    const catalog = catalogResponses.join('\n');
    const logs = lines.join('\n');
    const api = responses.join('\n');
    const needles = [...Object.values(secrets), 'p12-secret-pass', ...keyNeedles(leaf.keyPem), ...keyNeedles(rsaPem), ...keyNeedles(sshPrivate)];
    expect(needles.length).toBeGreaterThan(20);
    // Positive controls: the searches look at the right bytes.
    const leafFingerprint = createHash('sha256').update(leaf.der).digest('hex');
    expect(database).toContain(leafFingerprint);
    expect(catalogDatabase).toContain(leafFingerprint);
    expect(catalog).toContain(leafFingerprint);
    expect(logs).toMatch(/Scan of source keys \(ssh-files\)/);
    for (const needle of needles) {
      expect(database.includes(needle), 'database').toBe(false);
      expect(logs.includes(needle), 'logs').toBe(false);
      expect(api.includes(needle), 'API').toBe(false);
      expect(catalogDatabase.includes(needle), 'catalog database').toBe(false);
      expect(catalog.includes(needle), 'catalog API').toBe(false);
    }
    // Three real scans and the catalog's processing loop, on a shared 2-core machine.
  }, 180_000);
});

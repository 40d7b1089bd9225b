import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createScannerModule } from '@keyring/plugin-machine-identity-node';
import { capturingRootLoggerFactory } from '@keyring/plugin-machine-identity-node/testUtils';
import knexFactory from 'knex';
import request from 'supertest';
import { machineIdentityPlugin } from './plugin';

const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();

/**
 * A scanner that reads a file holding a PEM private key and a token, as a
 * real file scanner would, and reports only fingerprints.
 */
const secretMaterialScanner = createScannerModule({
  moduleId: 'secret-material',
  scanner: {
    sourceTypes: ['secret-material'],
    async *scan(ctx) {
      for (const path of ctx.source.config.getStringArray('paths')) {
        const text = readFileSync(path, 'utf8');
        const pem = text.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0];
        if (pem) {
          const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' });
          yield {
            type: 'ssh-key',
            fingerprintSha256: createHash('sha256').update(spki).digest('hex'),
            displayName: 'ed25519 key in material file',
            attributes: { keyAlgorithm: 'ed25519', comment: 'deploy@127.0.0.1' },
            location: `127.0.0.1:${path}`,
            details: { privateKeyPresent: true },
          };
        }
        for (const token of text.match(/ghp_[A-Za-z0-9]{36}/g) ?? []) {
          yield {
            type: 'api-token',
            fingerprintSha256: ctx.fingerprintSecret(token),
            displayName: 'GitHub token in material file',
            attributes: { storage: 'file' },
            location: `127.0.0.1:${path}`,
          };
        }
      }
    },
  },
});

describe('secret material', () => {
  it('never reaches the database file, the logs or any API response', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-secrets-'));
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = `ghp_${randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)}`;
    expect(token).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    const materialPath = join(dir, 'material.env');
    writeFileSync(materialPath, `# deploy material\n${pem}\nGITHUB_TOKEN=${token}\n`);
    const dbPath = join(dir, 'keyring.sqlite');
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: dbPath }, useNullAsDefault: true });
    const lines: string[] = [];
    const backend = await startTestBackend({
      features: [
        machineIdentityPlugin,
        secretMaterialScanner,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [] }),
        capturingRootLoggerFactory(lines),
        mockServices.rootConfig.factory({
          data: {
            machineIdentity: {
              fallbackOwner: 'group:default/security',
              sources: [{ id: 'material', type: 'secret-material', paths: [materialPath] }],
            },
          },
        }),
      ],
    });
    try {
      const http = request(backend.server);
      const scan = await http.post(`${API}/sources/material/scan`).set('Authorization', AUTH);
      expect(scan.status).toBe(202);
      const responses: string[] = [JSON.stringify(scan.body)];
      const get = async (path: string) => {
        const res = await http.get(`${API}${path}`).set('Authorization', AUTH);
        expect(res.status).toBe(200);
        responses.push(res.text);
        return res.body;
      };
      const run = await get(`/scans/${scan.body.scanId}`);
      expect(run).toMatchObject({ status: 'succeeded', seen: 2 });
      const page = await get('/identities?limit=500');
      expect(page.items.map((i: any) => i.type).sort()).toEqual(['api-token', 'ssh-key']);
      for (const item of page.items) {
        await get(`/identities/${item.id}`);
      }
      await get('/summary');
      await get('/sources');
      await get('/changes?since=0');
      await get('/violations');
      await get('/policy');
      await get('/identities?q=ghp');
      await backend.stop();
      await knex.destroy();

      const database = readFileSync(dbPath);
      const logs = lines.join('\n');
      const api = responses.join('\n');
      const pemBody = pem.split('\n').filter(l => l && !l.startsWith('-----'));
      const needles = [token, token.slice(4), ...pemBody, privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')];
      const rawKey = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(16);
      for (const needle of needles) {
        expect(database.includes(Buffer.from(needle))).toBe(false);
        expect(logs.includes(needle)).toBe(false);
        expect(api.includes(needle)).toBe(false);
      }
      expect(database.includes(rawKey)).toBe(false);
      // positive controls: the search looks at the right bytes
      const tokenFingerprint = page.items.find((i: any) => i.type === 'api-token').fingerprintSha256;
      expect(database.includes(Buffer.from(tokenFingerprint))).toBe(true);
      expect(logs).toContain('Scan of source material (secret-material) succeeded: 2 identities seen (2 new, 0 retired)');
      expect(tokenFingerprint).not.toBe(createHash('sha256').update(token).digest('hex'));
    } finally {
      await backend.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

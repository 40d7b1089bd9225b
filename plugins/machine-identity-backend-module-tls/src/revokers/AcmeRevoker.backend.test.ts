import fs from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import tls from 'node:tls';
import type { SchedulerService, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { until } from '@keyring/plugin-machine-identity-node/testUtils';
import * as acme from 'acme-client';
import request from 'supertest';
import { startPebble, type Pebble } from '../__testUtils__/pebble';
import { TestServers } from '../__testUtils__/testServers';
import { trustForDirectory } from './acmeHttps';

/*
 * ACME revocation through the whole workflow with real parts: Debian's pebble
 * (a real RFC 8555 server) issues a certificate to a real ACME account, a real
 * TLS server on loopback serves it, the machine-identity plugin with this
 * module scans it. alice requests, bob approves, the revoker revokes it at
 * pebble; pebble's management API reports it revoked. The re-scan still sees
 * it served, so the request stays executed and the identity `revoked`; once
 * the server serves a renewed certificate, the next scan verifies.
 */

const API = '/api/machine-identity';
/** The revocation workflow's scheduled task (machine-identity-backend src/revocation/setupRevocations.ts). */
const REVOCATION_TASK_ID = 'machine-identity-revocation';
const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);
const HOST = 'payments.keyring.test';

/** Orders a certificate for `name` from pebble with the account; returns its chain and key as PEM. */
async function issue(pebble: Pebble, account: { accountKey: Buffer; accountUrl: string }, name: string) {
  trustForDirectory(pebble.directoryUrl, pebble.caBundlePem);
  const client = new acme.Client({ directoryUrl: pebble.directoryUrl, ...account });
  const [key, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] });
  const chain = await client.auto({
    csr,
    termsOfServiceAgreed: true,
    skipChallengeVerification: true,
    challengeCreateFn: async () => undefined,
    challengeRemoveFn: async () => undefined,
  });
  return { chain, key: key.toString(), serial: new X509Certificate(chain).serialNumber.toLowerCase() };
}

describe('revoking a TLS certificate at its ACME CA (pebble) through the revocation workflow', () => {
  let pebble: Pebble;
  let accountKeyFile: string;
  let account: { accountKey: Buffer; accountUrl: string };
  beforeAll(async () => {
    pebble = await startPebble();
    const accountKey = await acme.crypto.createPrivateKey();
    accountKeyFile = path.join(pebble.dir, 'account.pem');
    await fs.writeFile(accountKeyFile, accountKey, { mode: 0o600 });
    trustForDirectory(pebble.directoryUrl, pebble.caBundlePem);
    const client = new acme.Client({ directoryUrl: pebble.directoryUrl, accountKey });
    await client.createAccount({ termsOfServiceAgreed: true });
    account = { accountKey, accountUrl: client.getAccountUrl() };
  }, 60_000);
  afterAll(() => pebble?.stop());

  async function startPortal(accountKeyPath: string) {
    const servers = new TestServers();
    const first = await issue(pebble, account, HOST);
    let context = tls.createSecureContext({ cert: first.chain, key: first.key });
    const port = await servers.tls('127.0.0.1', 0, { SNICallback: (_name, cb) => cb(null, context), cert: first.chain, key: first.key });
    const serve = (cert: { chain: string; key: string }) => {
      context = tls.createSecureContext({ cert: cert.chain, key: cert.key });
    };
    const scheduler = mockServices.scheduler() as SchedulerService & { factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory };
    const backend = await startTestBackend({
      features: [
        import('@keyring/plugin-machine-identity-backend'),
        import('../index'),
        catalogServiceMock.factory({ entities: [] }),
        scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.rootConfig.factory({
          data: {
            machineIdentity: {
              fallbackOwner: 'group:default/security',
              sources: [{ id: 'edge-tls', type: 'tls', targets: [`127.0.0.1:${port}`], serverNames: [HOST] }],
              revocation: {
                acme: [
                  {
                    id: 'pebble',
                    directoryUrl: pebble.directoryUrl,
                    accountKeyFile: accountKeyPath,
                    caBundleFile: pebble.caBundleFile,
                    issuers: ['CN = Pebble Intermediate CA *'],
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    const http = request(backend.server);
    const get = (p: string) => http.get(`${API}${p}`).set('Authorization', as('bob'));
    const post = (p: string, user: string, body: object = {}) => http.post(`${API}${p}`).set('Authorization', as(user)).send(body);
    /** A complete scan of the source (waits while the executor's verification scan runs). */
    const scan = async () => {
      const started = await until('scan start', async () => {
        const res = await post('/sources/edge-tls/scan', 'bob');
        return res.status === 202 ? res : undefined;
      });
      return until('scan end', async () => {
        const run = (await get(`/scans/${started.body.scanId}`)).body;
        return run.status === 'running' ? undefined : run;
      });
    };
    const leaf = async () => (await get('/identities?type=tls-certificate&limit=50')).body.items.find((i: any) => i.displayName === HOST && i.serialNumber);
    const stop = async () => {
      await backend.stop();
      await servers.closeAll();
    };
    return { first, serve, scheduler, get, post, scan, leaf, stop };
  }

  it('revokes it at pebble, stays executed (identity revoked) while still served, and verifies once the server serves a renewed certificate', async () => {
    const portal = await startPortal(accountKeyFile);
    try {
      expect((await portal.scan()).status).toBe('succeeded');
      const identity = await portal.leaf();
      expect(identity).toMatchObject({ state: 'active', serialNumber: portal.first.serial.replace(/^0+/, '') });
      expect((await pebble.certStatus(portal.first.serial)).Status).toBe('Valid');

      const created = await portal.post('/revocations', 'alice', { identityId: identity.id, reason: 'payments-api decommissioned' });
      expect(created.status).toBe(201);
      expect((await portal.post(`/revocations/${created.body.id}/approve`, 'alice')).status).toBe(403);
      expect((await portal.post(`/revocations/${created.body.id}/approve`, 'bob', { comment: 'retired' })).status).toBe(200);
      await portal.scheduler.triggerTask(REVOCATION_TASK_ID);

      const executed = await until('executed', async () => {
        const res = await portal.get(`/revocations/${created.body.id}`);
        return res.body.state === 'approved' || res.body.state === 'executing' ? undefined : res.body;
      });
      expect(executed).toMatchObject({ state: 'executed', revokerId: 'acme', outcomeDetails: { ca: 'pebble', serialNumber: portal.first.serial, alreadyRevoked: false } });
      const status = await pebble.certStatus(portal.first.serial);
      expect(status).toMatchObject({ Status: 'Revoked', Reason: 5 });

      // Still served: a complete re-scan sees it, so nothing verifies; the identity says revoked (and where it still is).
      expect((await portal.scan()).status).toBe('succeeded');
      expect((await portal.get(`/revocations/${created.body.id}`)).body.state).toBe('executed');
      const stillThere = (await portal.get(`/identities/${identity.id}`)).body;
      expect(stillThere.state).toBe('revoked');
      expect(stillThere.observations.filter((o: any) => !o.goneAt).map((o: any) => o.location)).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);

      // The server is given a renewed certificate: the revoked one is gone from where it was seen.
      const renewed = await issue(pebble, account, HOST);
      portal.serve(renewed);
      expect((await portal.scan()).status).toBe('succeeded');
      const verified = (await portal.get(`/revocations/${created.body.id}`)).body;
      expect(verified.state).toBe('verified');
      expect((await portal.get(`/identities/${identity.id}`)).body.state).toBe('gone');
      expect((await portal.get('/identities?type=tls-certificate&state=active&limit=50')).body.items.map((i: any) => i.serialNumber)).toContain(
        renewed.serial.replace(/^0+/, ''),
      );
    } finally {
      await portal.stop();
    }
  }, 120_000);

  it('fails the request and revokes nothing when the account key is not the ordering account', async () => {
    const strangerKeyFile = path.join(pebble.dir, 'stranger.pem');
    await fs.writeFile(strangerKeyFile, await acme.crypto.createPrivateKey(), { mode: 0o600 });
    const portal = await startPortal(strangerKeyFile);
    try {
      expect((await portal.scan()).status).toBe('succeeded');
      const identity = await portal.leaf();
      const created = await portal.post('/revocations', 'alice', { identityId: identity.id, reason: 'payments-api decommissioned' });
      expect((await portal.post(`/revocations/${created.body.id}/approve`, 'bob')).status).toBe(200);
      await portal.scheduler.triggerTask(REVOCATION_TASK_ID);
      const failed = await until('failed', async () => {
        const res = await portal.get(`/revocations/${created.body.id}`);
        return res.body.state === 'approved' || res.body.state === 'executing' ? undefined : res.body;
      });
      expect(failed.state).toBe('failed');
      expect(failed.outcomeMessage).toMatch(/ACME CA pebble refused the revocation .*Nothing was revoked/);
      expect((await pebble.certStatus(portal.first.serial)).Status).toBe('Valid');
      expect((await portal.get(`/identities/${identity.id}`)).body.state).toBe('active');
    } finally {
      await portal.stop();
    }
  }, 120_000);
});

import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import type { MachineIdentityDiscovery, RevocationTarget } from '@keyring/plugin-machine-identity-node';
import { startFixtureCluster, type FixtureCluster } from '../__testUtils__/fixtureCluster';
import { emulatorSource, scanCluster } from '../__testUtils__/scanCluster';
import { KubernetesSecretRevoker } from './KubernetesSecretRevoker';

describe('KubernetesSecretRevoker against the emulator (real client DELETE with preconditions)', () => {
  let fixture: FixtureCluster;
  let discoveries: MachineIdentityDiscovery[];
  const revoker = KubernetesSecretRevoker.create();
  const context = () => ({ logger: mockServices.logger.mock(), signal: new AbortController().signal });

  /** A revocation target for the identity seen at `location`, with every place the scan saw it. */
  const targetAt = (location: string, sourceType = 'kubernetes'): RevocationTarget => {
    const seen = discoveries.find(d => d.location === location)!;
    const source = emulatorSource(fixture.emulator);
    return {
      requestId: 'req-1',
      reason: 'component decommissioned',
      identity: { id: 'id-1', type: seen.type, fingerprintSha256: seen.fingerprintSha256, displayName: seen.displayName, management: seen.management ?? 'unmanaged', ...seen.attributes } as any,
      observations: discoveries
        .filter(d => d.fingerprintSha256 === seen.fingerprintSha256)
        .map(d => ({ sourceId: source.id, location: d.location, firstSeen: '', lastSeen: '', details: d.details, source: { id: source.id, type: sourceType, config: new ConfigReader(source) } })),
    };
  };

  beforeEach(async () => {
    fixture = await startFixtureCluster();
    discoveries = (await scanCluster(emulatorSource(fixture.emulator))).discoveries;
  });
  afterEach(async () => {
    await fixture?.emulator.stop();
  });

  it('deletes a service-account token Secret, and a re-scan no longer sees the token', async () => {
    const target = targetAt('test/platform/Secret/ci-deployer-token/token');
    expect(revoker.canRevoke(target)).toBe(true);
    const outcome = await revoker.revoke(target, context());
    expect(outcome).toEqual({
      outcome: 'executed',
      message: 'Deleted Secret platform/ci-deployer-token in cluster test; a re-scan verifies',
      details: { deleted: ['platform/ci-deployer-token in cluster test'], alreadyGone: 0 },
    });
    expect(fixture.emulator.has('secrets', 'platform', 'ci-deployer-token')).toBe(false);
    const deletes = fixture.emulator.requests.filter(r => r.method === 'DELETE');
    expect(deletes.map(r => [r.path, r.status])).toEqual([['/api/v1/namespaces/platform/secrets/ci-deployer-token', 200]]);
    const rescan = await scanCluster(emulatorSource(fixture.emulator));
    expect(rescan.discoveries.some(d => d.fingerprintSha256 === target.identity.fingerprintSha256)).toBe(false);
  });

  it('deletes every Secret a leaf certificate was seen in (keystore and DER copy in one Secret)', async () => {
    const target = targetAt('test/platform/Secret/kafka-keystore/client.der');
    const outcome = await revoker.revoke(target, context());
    expect(outcome.outcome).toBe('executed');
    expect(fixture.emulator.has('secrets', 'platform', 'kafka-keystore')).toBe(false);
  });

  it('refuses CA certificates and places outside Kubernetes', () => {
    expect(revoker.canRevoke(targetAt('test/payments/Secret/api-tls/ca.crt'))).toBe(false);
    expect(revoker.canRevoke(targetAt('test/platform/Secret/billing-api/stripe.token', 'certificate-files'))).toBe(false);
  });

  it('turns a certificate cert-manager renews into a manual task and deletes nothing', async () => {
    const outcome = await revoker.revoke(targetAt('test/payments/Secret/api-tls/tls.crt#0'), context());
    expect(outcome.outcome).toBe('manual');
    expect(outcome.message).toContain('delete the Certificate payments/api-cert');
    expect(fixture.emulator.has('secrets', 'payments', 'api-tls')).toBe(true);
  });

  it('leaves a Secret that changed since the scan untouched and fails with the reason', async () => {
    const target = targetAt('test/platform/Secret/billing-api/stripe.token');
    const current = fixture.emulator.store.get(KubernetesEmulator.resource('secrets'), 'platform/billing-api')!;
    fixture.emulator.add({ apiVersion: 'v1', kind: 'Secret', ...current, data: { ...current.data, rotated: 'eWVz' } });
    await expect(revoker.revoke(target, context())).rejects.toThrow(/changed since the scan.*Nothing was deleted/);
    expect(fixture.emulator.has('secrets', 'platform', 'billing-api')).toBe(true);
  });

  it('fails with the API server message when the DELETE is refused, leaving the Secret in place', async () => {
    fixture.emulator.injectFault({ plural: 'secrets', method: 'DELETE', status: 503 });
    await expect(revoker.revoke(targetAt('test/platform/Secret/billing-api/stripe.token'), context())).rejects.toThrow(
      'Deleting Secret platform/billing-api in cluster test failed: the server is currently unable to handle the request. Nothing was deleted.',
    );
    expect(fixture.emulator.has('secrets', 'platform', 'billing-api')).toBe(true);
  });
});

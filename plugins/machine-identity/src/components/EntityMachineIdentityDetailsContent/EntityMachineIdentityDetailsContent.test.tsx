import type { Entity } from '@backstage/catalog-model';
import { screen, within } from '@testing-library/react';
import {
  FakeMachineIdentityApi,
  makeIdentity,
} from '../../testUtils/FakeMachineIdentityApi';
import { renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityDetailsContent } from './EntityMachineIdentityDetailsContent';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'keyring.io/v1alpha1',
  kind: 'MachineIdentity',
  metadata: { name: 'tls-3f9a2c1d7e6b5a40', annotations },
  spec: { type: 'tls-certificate', owner: 'group:default/payments' },
});

describe('EntityMachineIdentityDetailsContent', () => {
  it('shows the live record: fingerprint, SANs, chain, observations, violations and links', async () => {
    const api = new FakeMachineIdentityApi();
    const identity = makeIdentity(
      {
        id: 'tls-1',
        fingerprintSha256: '3f9a2c1d7e6b5a40'.padEnd(64, '0'),
        displayName: 'api.payments.example.test',
        subject: 'CN=api.payments.example.test',
        issuer: 'CN=Keyring Test CA',
        sans: ['api.payments.example.test', '*.payments.example.test'],
        chain: ['cd'.repeat(32)],
        chainTrusted: true,
        keyAlgorithm: 'RSA',
        keySize: 2048,
      },
      12,
    );
    api.details['tls-1'] = {
      ...identity,
      observations: [
        { sourceId: 'corp-tls', location: '127.0.10.1:8443', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' },
      ],
      violations: [
        { identityId: 'tls-1', ruleId: 'tls.expiry', severity: 'warning', message: 'Expires in 12 days', remediation: 'Renew the certificate', firstDetected: '2026-11-13T00:00:00Z' },
      ],
      history: [],
    };
    await renderWithApi(<EntityMachineIdentityDetailsContent />, api, {
      entity: entity({ 'keyring.io/identity-id': 'tls-1' }),
    });
    const details = await screen.findByTestId('machine-identity-entity-details');
    expect(api.callsOf('getIdentity')).toEqual(['tls-1']);
    expect(within(details).getByTestId('fingerprint-hex')).toHaveTextContent(/^3f:9a:2c:1d:7e:6b:5a:40:00/);
    expect(within(details).queryByTestId('fingerprint-openssh')).not.toBeInTheDocument();
    expect(within(details).getByTestId('identity-sans')).toHaveTextContent('*.payments.example.test');
    expect(within(details).getByTestId('identity-chain')).toHaveTextContent('chain verifies to an approved CA');
    expect(within(details).getByTestId('identity-chain')).toHaveTextContent('cd:cd:cd');
    expect(within(details).getByTestId('identity-observations')).toHaveTextContent('127.0.10.1:8443');
    expect(within(details).getByTestId('identity-violations')).toHaveTextContent('Remediation: Renew the certificate');
    expect(within(details).getByRole('link', { name: 'payments' })).toHaveAttribute('href', '/catalog/default/group/payments');
    expect(within(details).getByRole('link', { name: 'payments-api' })).toHaveAttribute('href', '/catalog/default/component/payments-api');
    expect(within(details).getByText('RSA · 2048 bits')).toBeInTheDocument();
  });

  it('explains the missing identity-id annotation', async () => {
    const api = new FakeMachineIdentityApi();
    await renderWithApi(<EntityMachineIdentityDetailsContent />, api, { entity: entity({}) });
    expect((await screen.findAllByText(/keyring.io\/identity-id/)).length).toBeGreaterThan(0);
    expect(api.calls).toHaveLength(0);
  });

  it('shows the error panel when the identity cannot be loaded', async () => {
    const api = new FakeMachineIdentityApi();
    await renderWithApi(<EntityMachineIdentityDetailsContent />, api, {
      entity: entity({ 'keyring.io/identity-id': 'gone' }),
    });
    expect((await screen.findAllByText(/No identity gone/)).length).toBeGreaterThan(0);
  });
});

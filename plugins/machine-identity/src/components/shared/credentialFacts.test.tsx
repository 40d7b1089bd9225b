import { screen } from '@testing-library/react';
import { FakeMachineIdentityApi, makeIdentity } from '../../testUtils/FakeMachineIdentityApi';
import { paymentsApi, renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityContent } from '../EntityMachineIdentityContent/EntityMachineIdentityContent';
import { credentialFacts, formatLastUsed, formatRotation } from './credentialFacts';
import { IdentityDetailsPanel } from './IdentityDetailsPanel';

const NOW = new Date('2026-12-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

describe('credential facts', () => {
  it('says how long ago a credential was last used', () => {
    expect(formatLastUsed({ lastUsedAt: daysAgo(212) }, NOW)).toBe('last used 212 days ago');
    expect(formatLastUsed({ lastUsedAt: daysAgo(1) }, NOW)).toBe('last used 1 day ago');
    expect(formatLastUsed({ lastUsedAt: daysAgo(0.2) }, NOW)).toBe('last used today');
    expect(formatLastUsed({ extra: { neverUsed: true } }, NOW)).toBe('never used');
    expect(formatLastUsed({}, NOW)).toBeUndefined();
  });

  it('describes rotation', () => {
    expect(formatRotation({ enabled: true, lastRotatedAt: '2026-11-21T10:00:00Z' })).toMatch(/^Automatic · last rotated /);
    expect(formatRotation({ enabled: false })).toBe('Not rotated automatically');
    expect(formatRotation(undefined)).toBeUndefined();
  });

  it('adds no rows for a certificate without those facts', () => {
    expect(credentialFacts(makeIdentity({ id: 'tls-1' }, 30), NOW)).toEqual({});
  });

  it('shows last use, the privilege reason and rotation in the identity details panel', async () => {
    const identity = {
      ...makeIdentity({
        id: 'sa-1',
        type: 'service-account',
        displayName: 'arn:aws:iam::123456789012:user/deploy-bot',
        lastUsedAt: new Date(Date.now() - 212 * 86_400_000).toISOString(),
        privileged: true,
        privilegedReason: 'inline policy deploy-everything allows *:*',
        rotation: { enabled: false, lastRotatedAt: '2026-03-01T00:00:00Z' },
      }, 30),
      observations: [],
      violations: [],
      history: [],
    };
    await renderWithApi(<IdentityDetailsPanel identity={identity} />, new FakeMachineIdentityApi());
    expect(screen.getByTestId('identity-last-used')).toHaveTextContent('last used 212 days ago');
    expect(screen.getByTestId('identity-privileged')).toHaveTextContent('Administrator-level: inline policy deploy-everything allows *:*');
    expect(screen.getByTestId('identity-rotation')).toHaveTextContent('Not rotated automatically · last rotated');
  });

  it('puts "last used N days ago" under the expiry in the identity table', async () => {
    const api = new FakeMachineIdentityApi();
    api.identities = [
      makeIdentity({ id: 'key', type: 'api-token', displayName: 'AKIAEXAMPLE (svc-billing-export)', lastUsedAt: new Date(Date.now() - 212 * 86_400_000).toISOString() }),
      makeIdentity({ id: 'cert', displayName: 'api.payments.example.test' }, 30),
    ];
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    const captions = await screen.findAllByTestId('machine-identity-last-used');
    expect(captions.map(c => c.textContent)).toEqual(['last used 212 days ago']);
  });
});

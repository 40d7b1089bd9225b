import { screen, waitFor } from '@testing-library/react';
import {
  FakeMachineIdentityApi,
  makeIdentity,
} from '../../testUtils/FakeMachineIdentityApi';
import { paymentsApi, renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityOverviewCard } from './EntityMachineIdentityOverviewCard';

describe('EntityMachineIdentityOverviewCard', () => {
  it('counts active identities, violations and urgency, and names the next to expire', async () => {
    const api = new FakeMachineIdentityApi();
    api.identities = [
      makeIdentity({ id: 'a', displayName: 'expired.example.test', violationCount: 1 }, -1),
      makeIdentity({ id: 'b', displayName: 'soon.example.test' }, 3.5),
      makeIdentity({ id: 'c', displayName: 'later.example.test' }, 25),
      makeIdentity({ id: 'd', type: 'ssh-key', displayName: 'deploy key', violationCount: 2 }),
      makeIdentity({ id: 'e', displayName: 'revoked one', state: 'revoked' }, 1),
    ];
    await renderWithApi(<EntityMachineIdentityOverviewCard />, api, { entity: paymentsApi });
    await waitFor(() => expect(screen.getByTestId('card-total')).toHaveTextContent('4Active'));
    expect(screen.getByTestId('card-violating')).toHaveTextContent('2');
    expect(screen.getByTestId('card-critical')).toHaveTextContent('2');
    expect(screen.getByTestId('card-warning')).toHaveTextContent('1');
    expect(screen.getByTestId('card-soonest')).toHaveTextContent('soon.example.test — in 3 days');
    expect(screen.getByTestId('card-soonest').querySelector('[data-expiry-status]'))
      .toHaveAttribute('data-expiry-status', 'critical');
    expect(api.callsOf('listIdentities')[0]).toMatchObject({
      entityRef: 'component:default/payments-api',
      state: 'active',
    });
  });

  it('follows cursors up to its cap and marks the total as truncated', async () => {
    const api = new FakeMachineIdentityApi();
    api.identities = Array.from({ length: 1100 }, (_, i) => makeIdentity({ id: `i${i}` }, 100 + i));
    await renderWithApi(<EntityMachineIdentityOverviewCard />, api, { entity: paymentsApi });
    await waitFor(() => expect(screen.getByTestId('card-total')).toHaveTextContent('1000+'));
    expect(api.callsOf('listIdentities')).toHaveLength(5);
  });

  it('shows an empty state without identities and the error panel on failure', async () => {
    const api = new FakeMachineIdentityApi();
    const { unmount } = await renderWithApi(<EntityMachineIdentityOverviewCard />, api, { entity: paymentsApi });
    expect(await screen.findByText('No machine identities')).toBeInTheDocument();
    unmount();

    api.failWith = new Error('summary exploded');
    await renderWithApi(<EntityMachineIdentityOverviewCard />, api, { entity: paymentsApi });
    expect((await screen.findAllByText(/summary exploded/)).length).toBeGreaterThan(0);
  });
});

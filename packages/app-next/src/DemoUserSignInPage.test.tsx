import { ConfigReader } from '@backstage/config';
import { configApiRef, discoveryApiRef, type IdentityApi } from '@backstage/core-plugin-api';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { DEMO_USER_STORAGE_KEY, DemoUserSignInPage } from './DemoUserSignInPage';

const AUTH = 'http://localhost:7007/api/auth';
const server = setupServer();

/** An unsigned token-shaped string whose payload only carries an expiry (no secret, never verified here). */
const fakeToken = `e30.${btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600 }))}.sig`;

function session(userEntityRef: string) {
  return {
    profile: { displayName: userEntityRef.replace(/^user:default\//, '') },
    backstageIdentity: {
      token: fakeToken,
      identity: { type: 'user', userEntityRef, ownershipEntityRefs: [userEntityRef] },
    },
  };
}

function renderPage(users: Array<{ ref: string; title?: string; description?: string }>) {
  const onSignInSuccess = vi.fn<(identity: IdentityApi) => void>();
  const config = new ConfigReader({ app: { title: 'Keyring' }, keyring: { demo: { users } } });
  const discovery = { getBaseUrl: async (pluginId: string) => `http://localhost:7007/api/${pluginId}` };
  renderInTestApp(
    <TestApiProvider
      apis={[
        [configApiRef, config],
        [discoveryApiRef, discovery],
      ]}
    >
      <DemoUserSignInPage onSignInSuccess={onSignInSuccess} />
    </TestApiProvider>,
  );
  return onSignInSuccess;
}

const USERS = [
  { ref: 'user:default/bob', title: 'Bob — Payments lead', description: 'Attests payments' },
  { ref: 'user:default/erin', title: 'Erin — Security (admin)' },
  { ref: 'user:default/guest', title: 'Guest' },
];

describe('DemoUserSignInPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    sessionStorage.clear();
  });
  afterAll(() => server.close());

  it('lists the configured demo users and signs the chosen one in through the demo provider', async () => {
    const asked: Array<string | null> = [];
    server.use(
      http.get(`${AUTH}/demo/refresh`, ({ request }) => {
        const user = request.headers.get('x-keyring-demo-user');
        asked.push(user);
        return HttpResponse.json(session(user ?? 'nobody'));
      }),
    );
    const onSignInSuccess = renderPage(USERS);
    expect(await screen.findByText('Bob — Payments lead')).toBeInTheDocument();
    expect(screen.getByText('Attests payments')).toBeInTheDocument();
    // The guest keeps its "Enter" button; everyone else is "Sign in as <name>".
    expect(screen.getByRole('button', { name: 'Enter' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in as erin' })).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Sign in as bob' }));
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(asked).toEqual(['user:default/bob']);
    const identity = await onSignInSuccess.mock.calls[0][0].getBackstageIdentity();
    expect(identity.userEntityRef).toBe('user:default/bob');
    expect(sessionStorage.getItem(DEMO_USER_STORAGE_KEY)).toBe('user:default/bob');
  });

  it("signs the tab's remembered demo user in again without showing the list", async () => {
    sessionStorage.setItem(DEMO_USER_STORAGE_KEY, 'user:default/erin');
    server.use(
      http.get(`${AUTH}/demo/refresh`, ({ request }) =>
        HttpResponse.json(session(request.headers.get('x-keyring-demo-user') ?? 'nobody')),
      ),
    );
    const onSignInSuccess = renderPage(USERS);
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect((await onSignInSuccess.mock.calls[0][0].getBackstageIdentity()).userEntityRef).toBe('user:default/erin');
    expect(screen.queryByText('Bob — Payments lead')).not.toBeInTheDocument();
  });

  it('shows why a sign-in failed and lets the user choose someone else', async () => {
    server.use(
      http.get(`${AUTH}/demo/refresh`, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'Demo sign-in is only available in demo mode' } },
          { status: 403 },
        ),
      ),
    );
    const onSignInSuccess = renderPage(USERS);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in as bob' }));
    expect(await screen.findByText(/Could not sign in as user:default\/bob/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Choose another demo user' }));
    expect(await screen.findByRole('button', { name: 'Sign in as erin' })).toBeInTheDocument();
    expect(sessionStorage.getItem(DEMO_USER_STORAGE_KEY)).toBeNull();
    expect(onSignInSuccess).not.toHaveBeenCalled();
  });

  it('is the guest sign-in when no demo users are configured', async () => {
    renderPage([]);
    expect(await screen.findByText('Guest')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enter' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Sign in as/ })).not.toBeInTheDocument();
  });
});

import { Content, ErrorPanel, Header, Page, ProxiedSignInPage, SignInPage } from '@backstage/core-components';
import { type ConfigApi, configApiRef, useApi } from '@backstage/core-plugin-api';
import type { SignInPageProps } from '@backstage/plugin-app-react';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import ListItemText from '@material-ui/core/ListItemText';
import Paper from '@material-ui/core/Paper';
import { useState } from 'react';

/** The tab's chosen demo user: per browser tab, so two tabs can be two people. */
export const DEMO_USER_STORAGE_KEY = 'keyring.demoUser';

/** The request header the backend's demo auth provider reads (packages/backend authModuleDemoProvider). */
const DEMO_USER_HEADER = 'x-keyring-demo-user';

type DemoUser = { ref: string; title: string; description?: string };

function readDemoUsers(config: ConfigApi): DemoUser[] {
  return (config.getOptionalConfigArray('keyring.demo.users') ?? []).map(user => ({
    ref: user.getString('ref'),
    title: user.getOptionalString('title') ?? user.getString('ref'),
    description: user.getOptionalString('description'),
  }));
}

/** "Enter" for the guest (as the guest sign-in says it), "Sign in as bob" for the others. */
function buttonText(ref: string): string {
  const name = ref.replace(/^user:default\//, '');
  return name === 'guest' ? 'Enter' : `Sign in as ${name}`;
}

/**
 * The new-frontend-system app's sign-in for the local demo: a list of the
 * demo organisation's people (`keyring.demo.users`); the chosen one is signed
 * in by the auth backend's `demo` provider as a real catalog User with their
 * Groups, and remembered for this browser tab. With no demo users configured
 * it is the guest sign-in.
 */
export function DemoUserSignInPage(props: SignInPageProps) {
  const users = readDemoUsers(useApi(configApiRef));
  const [chosen, setChosen] = useState(() => sessionStorage.getItem(DEMO_USER_STORAGE_KEY) ?? undefined);
  const choose = (ref: string | undefined) => {
    if (ref) sessionStorage.setItem(DEMO_USER_STORAGE_KEY, ref);
    else sessionStorage.removeItem(DEMO_USER_STORAGE_KEY);
    setChosen(ref);
  };

  if (users.length === 0) return <SignInPage {...props} providers={['guest']} />;
  if (chosen && users.some(u => u.ref === chosen)) {
    return (
      <ProxiedSignInPage
        {...props}
        provider="demo"
        headers={{ [DEMO_USER_HEADER]: chosen }}
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Header title="Keyring demo" subtitle={`Could not sign in as ${chosen}`} />
            <Content>
              <ErrorPanel error={error ?? new Error('Demo sign-in failed')} />
              <Button variant="outlined" color="primary" onClick={() => choose(undefined)}>
                Choose another demo user
              </Button>
            </Content>
          </Page>
        )}
      />
    );
  }
  return (
    <Page themeId="home">
      <Header title="Keyring demo" subtitle="Sign in as one of the demo organisation's people" />
      <Content>
        <Paper>
          <List aria-label="Demo users" data-testid="demo-user-list">
            {users.map(user => (
              <ListItem key={user.ref} divider>
                <ListItemText primary={user.title} secondary={user.description ?? user.ref} />
                <ListItemSecondaryAction>
                  <Button color="primary" variant="contained" onClick={() => choose(user.ref)}>
                    {buttonText(user.ref)}
                  </Button>
                </ListItemSecondaryAction>
              </ListItem>
            ))}
          </List>
        </Paper>
      </Content>
    </Page>
  );
}

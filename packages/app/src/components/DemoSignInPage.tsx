import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import { configApiRef, type SignInPageProps, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

/** The guest keeps the guest sign-in's "Enter" button (scripts and tests sign in with it). */
const GUEST = 'user:default/guest';

/** Where the chosen demo user is kept: per browser tab, so another tab can be someone else. */
const STORAGE_KEY = 'keyring.demoUser';

/**
 * The demo portal's sign-in: pick one of the demo users (`keyring.demo.users`,
 * the team leads and members of examples/org.yaml) and the auth backend's
 * `demo` provider signs them in as a real Backstage user with their Groups.
 * Without demo users configured it is the guest sign-in.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const users = config.getOptionalConfigArray('keyring.demo.users') ?? [];
  const [chosen, setChosen] = useState(() => sessionStorage.getItem(STORAGE_KEY) ?? undefined);
  if (users.length === 0) {
    return <SignInPage {...props} auto providers={['guest']} />;
  }
  if (chosen) {
    return <ProxiedSignInPage {...props} provider="demo" headers={{ 'x-keyring-demo-user': chosen }} />;
  }
  const choose = (ref: string) => {
    sessionStorage.setItem(STORAGE_KEY, ref);
    setChosen(ref);
  };
  return (
    <Page themeId="home">
      <Header title="Keyring demo" subtitle="Sign in as one of the demo organisation's people" />
      <Content>
        <Grid container spacing={3}>
          {users.map(user => {
            const ref = user.getString('ref');
            const title = user.getOptionalString('title') ?? ref;
            return (
              <Grid item xs={12} sm={6} md={4} key={ref}>
                <InfoCard
                  title={title}
                  actions={
                    <Button color="primary" variant="outlined" onClick={() => choose(ref)}>
                      {ref === GUEST ? 'Enter' : `Sign in as ${ref.replace(/^user:default\//, '')}`}
                    </Button>
                  }
                >
                  <Typography variant="body2">{user.getOptionalString('description') ?? ref}</Typography>
                </InfoCard>
              </Grid>
            );
          })}
        </Grid>
      </Content>
    </Page>
  );
}

import { SignInPage } from '@backstage/core-components';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * Sign-in for the local portal: the auth backend's guest provider (its
 * "Enter" button), which `auth.providers.guest` allows in development only.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => props => <SignInPage {...props} providers={['guest']} />,
      },
    }),
  ],
});

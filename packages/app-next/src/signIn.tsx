import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * Replaces the app plugin's default sign-in page (guest only) with the demo
 * user picker; the app plugin owns the sign-in page, so this is a module of it.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => (await import('./DemoUserSignInPage')).DemoUserSignInPage,
      },
    }),
  ],
});

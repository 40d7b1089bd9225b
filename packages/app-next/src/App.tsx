import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import machineIdentityPlugin from '@keyring/plugin-machine-identity/alpha';
import { signInModule } from './signIn';

/**
 * The Keyring portal on Backstage's new frontend system: every plugin is a
 * feature, and which extensions show where is app-config `app.extensions`
 * (app-config.next.yaml).
 */
export default createApp({
  features: [
    catalogPlugin,
    catalogGraphPlugin,
    orgPlugin,
    notificationsPlugin,
    signalsPlugin,
    machineIdentityPlugin,
    signInModule,
  ],
});

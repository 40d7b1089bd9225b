export interface Config {
  auth?: {
    providers?: {
      /**
       * The demo sign-in (`./auth/authModuleDemoProvider`): these catalog
       * users may sign in by name, only while the portal runs in demo mode
       * (NODE_ENV=development and auth.environment: development).
       */
      demo?: {
        /** User entity refs, e.g. `user:default/bob`. */
        users: string[];
      };
    };
  };
  /** Settings of the Keyring portal itself (not of the plugins). */
  keyring?: {
    permissions?: {
      /**
       * Entity refs (groups or users) whose members are admins: they trigger
       * scans, approve revocations, open review campaigns, see every identity
       * in full and may write to the catalog (register or delete locations and
       * entities). Default: group:default/platform-team and group:default/security.
       */
      adminGroups?: string[];
      /**
       * How members see machine identities of teams other than their own:
       * `summary` (in lists and totals; details without observations and
       * history), `full`, or `none`. Default: summary.
       */
      otherTeams?: 'summary' | 'full' | 'none';
    };
  };
}

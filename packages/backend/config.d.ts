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
       * Entity refs (groups or users) whose members may trigger scans and
       * approve revocations. Default: group:default/platform-team and
       * group:default/security.
       */
      adminGroups?: string[];
    };
  };
}

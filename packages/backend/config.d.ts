export interface Config {
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

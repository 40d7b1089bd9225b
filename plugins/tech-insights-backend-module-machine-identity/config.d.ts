export interface Config {
  techInsights?: {
    /** Keyring's Tech Insights module. */
    machineIdentity?: {
      /**
       * Install Keyring's seven default machine identity checks (default true).
       * Checks under `techInsights.factChecker.checks` are added either way; one
       * with the id of a default replaces it.
       */
      defaultChecks?: boolean;
    };
  };
}

export interface Config {
  /** Settings of the Keyring portal itself (not of the plugins). */
  keyring?: {
    /** The local demo portal. */
    demo?: {
      /**
       * People offered on the demo sign-in page; each must also be listed in
       * the backend's `auth.providers.demo.users`.
       * @visibility frontend
       */
      users?: Array<{
        /**
         * User entity ref, e.g. `user:default/bob`.
         * @visibility frontend
         */
        ref: string;
        /**
         * Shown as the card title.
         * @visibility frontend
         */
        title?: string;
        /**
         * One line about the person, e.g. their role.
         * @visibility frontend
         */
        description?: string;
      }>;
    };
  };
}

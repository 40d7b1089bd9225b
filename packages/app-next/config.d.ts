export interface Config {
  /** Settings of the Keyring portal itself (not of the plugins). */
  keyring?: {
    demo?: {
      /**
       * The local demo's sign-in picker (src/DemoUserSignInPage.tsx): a User
       * entity ref, a card title and one line about the person. Each ref must
       * also be in the backend's `auth.providers.demo.users`.
       * @deepVisibility frontend
       */
      users?: Array<{ ref: string; title?: string; description?: string }>;
    };
  };
}

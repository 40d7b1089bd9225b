import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '@backstage/config';
import type { SettingsStore } from '../database/types';

const SETTING_KEY = 'token-hash-key';

/** HMAC-SHA-256 of a secret value, lower-case hex; the value itself is never kept. */
export type SecretFingerprintFn = (value: string | Buffer) => string;

/**
 * Builds the token fingerprint function from `machineIdentity.tokenHashKey`,
 * or from a random key generated once and kept in the plugin's settings
 * table so fingerprints stay stable across restarts and replicas.
 */
export async function createSecretFingerprinter(options: {
  config: Config;
  settings: SettingsStore;
}): Promise<SecretFingerprintFn> {
  const configured = options.config.getOptionalString('machineIdentity.tokenHashKey');
  const key =
    configured ??
    (await options.settings.getOrCreate(SETTING_KEY, () =>
      randomBytes(32).toString('base64'),
    ));
  return value => createHmac('sha256', key).update(value).digest('hex');
}

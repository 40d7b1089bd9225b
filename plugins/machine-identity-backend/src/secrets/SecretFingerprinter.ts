import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '@backstage/config';
import type { SettingsStore } from '../database/types';

const SETTING_KEY = 'token-hash-key';

/** HMAC-SHA-256 of a secret value, lower-case hex; the value itself is never kept. */
export type SecretFingerprintFn = (value: string | Buffer) => string;

/**
 * Builds the token fingerprint function from `machineIdentity.tokenHashKey`,
 * or, outside production, from a random key generated once and kept in the
 * plugin's settings table so fingerprints stay stable across restarts and
 * replicas. In production (`NODE_ENV=production`) the key is required: kept
 * beside the hashes, it would let anyone with the database test guesses.
 */
export async function createSecretFingerprinter(options: {
  config: Config;
  settings: SettingsStore;
  /** Defaults to `process.env.NODE_ENV`. */
  nodeEnv?: string;
}): Promise<SecretFingerprintFn> {
  const configured = options.config.getOptionalString('machineIdentity.tokenHashKey');
  if (!configured && (options.nodeEnv ?? process.env.NODE_ENV) === 'production') {
    throw new Error(
      'machineIdentity.tokenHashKey is required when NODE_ENV=production: set it to a long random secret ' +
        '(app-config.production.yaml reads KEYRING_TOKEN_HASH_KEY); without it the HMAC key of token ' +
        'fingerprints would be stored in the database beside the fingerprints',
    );
  }
  const key =
    configured ??
    (await options.settings.getOrCreate(SETTING_KEY, () =>
      randomBytes(32).toString('base64'),
    ));
  return value => createHmac('sha256', key).update(value).digest('hex');
}

import { findSecretMaterial } from '@keyring/plugin-machine-identity-node';
import type { SshKeyOption } from './parseAuthorizedKeysOptions';

/** An authorized_keys option as Keyring keeps it: the name, and a value only where it is configuration, never a secret. */
export interface KeptSshKeyOption {
  name: string;
  /** Kept for `from` patterns and the structured options below; absent when redacted. */
  value?: string;
  /** `environment`: the variable's name (its value is never kept). */
  variable?: string;
  /** Set when the option had a value that was dropped. */
  redacted?: true;
}

/** Options whose values are kept, each with the only shape accepted (anything else is redacted). */
const KEPT_VALUES: Record<string, RegExp> = {
  from: /^[A-Za-z0-9.*?!:/,[\]_-]{1,1024}$/,
  'expiry-time': /^\d{8}(?:\d{4}(?:\d{2})?)?Z?$/,
  principals: /^[A-Za-z0-9._@,+-]{1,1024}$/,
  permitopen: /^[A-Za-z0-9.*:[\]_-]{1,300}$/,
  permitlisten: /^[A-Za-z0-9.*:[\]_-]{1,300}$/,
  tunnel: /^(?:\d{1,5}|any)$/,
};

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** An option or marker name safe to repeat: a short lower-case word, as real names are. */
const WORD = /^@?[a-z][a-z0-9]*(?:-[a-z0-9]+){0,5}$/;

/**
 * Whether an unknown option or marker name may be repeated in a problem or
 * kept: short hyphenated words only, so a token pasted into the options
 * field is never echoed.
 */
export function isSafeName(name: string): boolean {
  return name.length <= 40 && WORD.test(name) && !findSecretMaterial(name, { randomRuns: true });
}

/**
 * What Keyring keeps of a key's options: every option's name (an unsafe
 * unknown name becomes `[redacted]`), `from=` patterns and the structured
 * values above; `command=` and `environment=` values, and any value that
 * fails its shape or looks like secret material, are dropped.
 */
export function redactAuthorizedKeysOptions(options: SshKeyOption[]): KeptSshKeyOption[] {
  return options.map(({ name, value }) => {
    const kept: KeptSshKeyOption = { name: isSafeName(name) ? name : '[redacted]' };
    if (value === undefined) return kept;
    if (name === 'environment') {
      const variable = value.slice(0, Math.max(0, value.indexOf('=')));
      if (ENVIRONMENT_NAME.test(variable)) kept.variable = variable;
      kept.redacted = true;
      return kept;
    }
    const shape = KEPT_VALUES[name];
    if (shape?.test(value) && !findSecretMaterial(value, { randomRuns: true })) kept.value = value;
    else kept.redacted = true;
    return kept;
  });
}

/** One authorized_keys option, e.g. `{ name: 'from', value: '10.0.0.0/8' }`. */
export interface SshKeyOption {
  name: string;
  /** The unquoted value of `name="value"` options. */
  value?: string;
}

/** Options sshd understands (sshd(8) AUTHORIZED_KEYS FILE FORMAT). */
export const KNOWN_AUTHORIZED_KEYS_OPTIONS: ReadonlySet<string> = new Set([
  'agent-forwarding',
  'cert-authority',
  'command',
  'environment',
  'expiry-time',
  'from',
  'no-agent-forwarding',
  'no-port-forwarding',
  'no-pty',
  'no-touch-required',
  'no-user-rc',
  'no-x11-forwarding',
  'permitlisten',
  'permitopen',
  'port-forwarding',
  'principals',
  'pty',
  'restrict',
  'touch-required',
  'tunnel',
  'user-rc',
  'verify-required',
  'x11-forwarding',
]);

/** An option name as problems may repeat it: known names only, never input bytes of an unknown one. */
function known(name: string): string {
  return KNOWN_AUTHORIZED_KEYS_OPTIONS.has(name.toLowerCase()) ? name.toLowerCase() : '(unknown)';
}

/**
 * Index just past the options field at the start of an authorized_keys line:
 * the first space or tab outside double quotes (`\"` escapes a quote), as
 * sshd's `sshkey_advance_past_options` does. Throws on an unterminated quote.
 */
export function advancePastOptions(line: string): number {
  let quoted = false;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line[i];
    if (!quoted && (c === ' ' || c === '\t')) break;
    if (c === '\\' && line[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
  }
  if (quoted) throw new Error('unterminated quote in key options');
  return i;
}

/**
 * Splits an authorized_keys options field (`restrict,from="a,b",command="x y"`)
 * into options. Names compare case-insensitively in sshd, so they are
 * returned lower-cased; values keep their case with `\"` unescaped.
 */
export function parseAuthorizedKeysOptions(field: string): SshKeyOption[] {
  const options: SshKeyOption[] = [];
  let i = 0;
  while (i < field.length) {
    let name = '';
    while (i < field.length && field[i] !== ',' && field[i] !== '=') name += field[i++];
    if (!name) throw new Error(`empty option at column ${i + 1} of the options`);
    if (field[i] === '=') {
      i++;
      if (field[i] !== '"') throw new Error(`option ${known(name)} needs a quoted value`);
      i++;
      let value = '';
      while (i < field.length && field[i] !== '"') {
        if (field[i] === '\\' && field[i + 1] === '"') i++;
        value += field[i++];
      }
      if (i >= field.length) throw new Error(`unterminated quote in option ${known(name)}`);
      i++; // closing quote
      options.push({ name: name.toLowerCase(), value });
    } else {
      options.push({ name: name.toLowerCase() });
    }
    if (i < field.length) {
      if (field[i] !== ',') throw new Error(`unexpected character after option ${known(name)}`);
      i++;
      if (i === field.length) throw new Error('trailing comma in key options');
    }
  }
  return options;
}

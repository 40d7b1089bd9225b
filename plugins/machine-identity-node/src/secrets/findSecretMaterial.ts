/** Private key armour of any common format: PEM (PKCS#1, PKCS#8, SEC1, OpenSSH, encrypted), PuTTY, SSH.com. */
const PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----|PuTTY-User-Key-File-\d|Private-Lines: \d|openssh-key-v1\0|b3BlbnNzaC1rZXktdjE/;

/** Tokens recognised by their vendor prefix (GitHub, GitLab, Slack, Stripe, OpenAI/Anthropic-style, npm, JWTs). */
const TOKEN =
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|sk-[A-Za-z0-9_-]{32,}|npm_[A-Za-z0-9]{30,}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*)/;

/** `environment="NAME=value"` as written in authorized_keys. */
const ENVIRONMENT_OPTION = /\benvironment\s*=\s*"[^"]*=/i;

/** A base64 / base64url run (path separators split it) long enough to be a key or token. */
const BASE64_RUN = /[A-Za-z0-9+_-]{32,}/g;
const HEX_RUN = /\b[0-9a-fA-F]{40,}\b/;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** Random-looking: upper case, lower case and digits mixed with the entropy of random base64, not of words. */
function isHighEntropyRun(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) && entropy(run) >= 4.3;
}

/** Options of {@link findSecretMaterial}. */
export interface FindSecretMaterialOptions {
  /**
   * Also refuse long random-looking base64 and hex runs (default false). Right
   * for free-form facts such as discovery `details`; attributes hold serial
   * numbers and fingerprints that look the same and are public.
   */
  randomRuns?: boolean;
}

/**
 * Says what kind of secret material `text` holds, or undefined: a private key
 * block, a token with a known prefix, an `environment=` value, and with
 * `randomRuns` a long base64 or hex run. Used centrally on everything a
 * scanner reports and by scanners to redact what they keep.
 */
export function findSecretMaterial(text: string, options: FindSecretMaterialOptions = {}): string | undefined {
  if (PRIVATE_KEY.test(text)) return 'a private key';
  if (TOKEN.test(text)) return 'a token';
  if (ENVIRONMENT_OPTION.test(text)) return 'an environment= value';
  if (options.randomRuns) {
    for (const [run] of text.matchAll(BASE64_RUN)) {
      if (isHighEntropyRun(run)) return 'a long base64 string';
    }
    if (HEX_RUN.test(text)) return 'a long hex string';
  }
  return undefined;
}

/**
 * Replaces every word of `text` that holds secret material (random runs
 * included) with `[redacted]`; the rest is kept as written.
 */
export function redactSecretMaterial(text: string): string {
  if (!findSecretMaterial(text, { randomRuns: true })) return text;
  const redacted = text.replace(/[^\s,;"']+/g, word => (findSecretMaterial(word, { randomRuns: true }) ? '[redacted]' : word));
  // Material spanning words (a PEM header) leaves nothing worth keeping.
  return findSecretMaterial(redacted, { randomRuns: true }) ? '[redacted]' : redacted;
}

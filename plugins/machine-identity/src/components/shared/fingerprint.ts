/**
 * OpenSSH's `SHA256:` form of a SHA-256 fingerprint given as hex: the raw
 * digest in base64 without padding, as `ssh-keygen -lf` prints it.
 */
export function toOpenSshFingerprint(hex: string): string | undefined {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length !== 64) {
    return undefined;
  }
  let binary = '';
  for (let i = 0; i < clean.length; i += 2) {
    binary += String.fromCharCode(parseInt(clean.slice(i, i + 2), 16));
  }
  return `SHA256:${btoa(binary).replace(/=+$/, '')}`;
}

/** A hex fingerprint in colon-separated pairs, easier to compare by eye. */
export function formatHexFingerprint(hex: string): string {
  return (hex.toLowerCase().match(/.{1,2}/g) ?? []).join(':');
}

/** What Keyring knows about one plain (non-certificate) SSH public key type. */
export interface SshBaseKeyType {
  /** Wire name, e.g. `ssh-ed25519`. */
  name: string;
  /** Lower-case algorithm family: `rsa`, `dsa`, `ecdsa`, `ed25519`. */
  keyAlgorithm: 'rsa' | 'dsa' | 'ecdsa' | 'ed25519';
  /** OpenSSH curve name for ECDSA keys, e.g. `nistp256`. */
  curve?: string;
  /** Fixed key size in bits, when the type implies one. */
  bits?: number;
  /** A FIDO/U2F security-key type (`sk-…`). */
  securityKey: boolean;
  /** The label `ssh-keygen -l` prints, e.g. `ED25519-SK`. */
  label: string;
}

const BASE_TYPES: SshBaseKeyType[] = [
  { name: 'ssh-rsa', keyAlgorithm: 'rsa', securityKey: false, label: 'RSA' },
  { name: 'ssh-dss', keyAlgorithm: 'dsa', securityKey: false, label: 'DSA' },
  ...[256, 384, 521].map(
    (bits): SshBaseKeyType => ({
      name: `ecdsa-sha2-nistp${bits}`,
      keyAlgorithm: 'ecdsa',
      curve: `nistp${bits}`,
      bits,
      securityKey: false,
      label: 'ECDSA',
    }),
  ),
  { name: 'ssh-ed25519', keyAlgorithm: 'ed25519', bits: 256, securityKey: false, label: 'ED25519' },
  {
    name: 'sk-ecdsa-sha2-nistp256@openssh.com',
    keyAlgorithm: 'ecdsa',
    curve: 'nistp256',
    bits: 256,
    securityKey: true,
    label: 'ECDSA-SK',
  },
  {
    name: 'sk-ssh-ed25519@openssh.com',
    keyAlgorithm: 'ed25519',
    bits: 256,
    securityKey: true,
    label: 'ED25519-SK',
  },
];

/** The OpenSSH certificate type name for a plain key type. */
export function certificateTypeName(baseName: string): string {
  return `${baseName.replace(/@openssh\.com$/, '')}-cert-v01@openssh.com`;
}

const BY_NAME = new Map<string, { base: SshBaseKeyType; certificate: boolean }>();
for (const base of BASE_TYPES) {
  BY_NAME.set(base.name, { base, certificate: false });
  BY_NAME.set(certificateTypeName(base.name), { base, certificate: true });
}

/**
 * Looks up an SSH public key or certificate type name, e.g.
 * `ssh-ed25519` or `ssh-rsa-cert-v01@openssh.com`.
 */
export function lookupSshKeyType(
  name: string,
): { base: SshBaseKeyType; certificate: boolean } | undefined {
  return BY_NAME.get(name);
}

/** Every key and certificate type name Keyring parses. */
export const SSH_KEY_TYPE_NAMES: readonly string[] = [...BY_NAME.keys()];

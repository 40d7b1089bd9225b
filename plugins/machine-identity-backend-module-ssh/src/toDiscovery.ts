import type { IdentityAttributes } from '@keyring/plugin-machine-identity-common';
import type { OwnerHint } from '@keyring/plugin-machine-identity-node';
import type { ParsedSshKey } from './parsing/parseSshKeyBlob';

/** Identity attributes of a parsed SSH key (never secret). */
export function sshKeyAttributes(key: ParsedSshKey, comment?: string): IdentityAttributes {
  const extra: Record<string, string | number | boolean> = {
    openSshFingerprint: key.openSshFingerprint,
    keyLabel: key.label,
    baseKeyType: key.baseKeyType,
    securityKey: key.securityKey,
  };
  if (key.application) extra.application = key.application;
  const attributes: IdentityAttributes = {
    keyAlgorithm: key.keyAlgorithm,
    keySize: key.keySize,
    curve: key.curve,
    sshKeyType: key.sshKeyType,
    comment,
    extra,
  };
  const cert = key.certificate;
  if (cert) {
    attributes.serialNumber = cert.serial;
    attributes.subject = cert.keyId;
    attributes.issuer = cert.signingCaFingerprint;
    attributes.notBefore = cert.validAfter;
    attributes.notAfter = cert.validBefore;
    extra.certificateType = cert.certType;
    extra.certificatePrincipals = cert.principals.join(',');
    extra.certificateCriticalOptions = cert.criticalOptions.join(',');
    extra.certificateExtensions = cert.extensions.join(',');
    extra.signingCaFingerprintSha256 = cert.signingCaFingerprintSha256;
  }
  for (const k of Object.keys(attributes) as Array<keyof IdentityAttributes>) {
    if (attributes[k] === undefined) delete attributes[k];
  }
  return attributes;
}

/** A display name: the key comment, else `<type> SHA256:…`. */
export function sshKeyDisplayName(key: ParsedSshKey, comment?: string): string {
  return comment ? comment : `${key.sshKeyType} ${key.openSshFingerprint}`;
}

const OWNER_TOKEN = /(?:^|[\s,;])(owner|team)=([A-Za-z0-9][\w.:/-]*)/i;
const COMPONENT_TOKEN = /(?:^|[\s,;])component=([A-Za-z0-9][\w.:/-]*)/i;

/**
 * An owner hint from a key comment, only when the comment names one
 * explicitly with `owner=<group>`, `team=<group>` or `component=<name>`
 * tokens (e.g. `deploy@ci owner=payments component=payments-api`). A bare
 * `user@host` comment names a person and a machine, not an owning group,
 * so it gives no hint. The hint never overrides a Component annotation.
 */
export function ownerHintFromComment(comment?: string): OwnerHint | undefined {
  if (!comment) return undefined;
  const owner = OWNER_TOKEN.exec(comment);
  const component = COMPONENT_TOKEN.exec(comment);
  if (!owner && !component) return undefined;
  // Anyone who can write the comment can write the hint: it only fills a gap (see OwnerHint.fillsGapOnly).
  const hint: OwnerHint = { via: `ssh key comment "${comment.slice(0, 200)}"`, fillsGapOnly: true };
  if (owner) {
    const ref = owner[2];
    hint.owner = ref.includes(':') ? ref : `group:default/${ref}`;
  }
  if (component) hint.component = component[1];
  return hint;
}

import type { Identity } from '@keyring/plugin-machine-identity-common';
import {
  DAY_MS,
  formatDays,
  parseTime,
  type PolicyContext,
  type PolicyRule,
} from '@keyring/plugin-machine-identity-node';
import { curveBits, tlsKeyFamily } from './tlsKeyFamily';
import {
  DEFAULT_TLS_POLICY_SETTINGS,
  type TlsPolicySettings,
  type TlsPolicySettingsOverrides,
} from './TlsPolicySettings';

const TLS = ['tls-certificate'] as const;

/** Whether a certificate counts as public: its chain ends in a Mozilla root, else the context says so. */
function isPublic(identity: Identity, context: PolicyContext): boolean {
  return identity.publiclyTrusted ?? context.environment === 'public';
}

const validity = (tls: TlsPolicySettings): PolicyRule => ({
  id: 'tls.validity',
  appliesTo: TLS,
  defaultSeverity: 'warning',
  description:
    'A certificate is valid no longer than the maximum for its audience (public or internal).',
  parameters: () => ({ maxValidityDays: tls.maxValidityDays }),
  evaluate({ identity, context }) {
    const from = parseTime(identity.notBefore);
    const to = parseTime(identity.notAfter);
    if (from === undefined || to === undefined || identity.isCa) {
      return undefined;
    }
    const audience = isPublic(identity, context) ? 'public' : 'internal';
    const maxDays = tls.maxValidityDays[audience];
    const days = (to - from) / DAY_MS;
    if (days <= maxDays) {
      return undefined;
    }
    return {
      ruleId: 'tls.validity',
      severity: 'warning',
      message: `Validity of ${formatDays(days)} exceeds the ${maxDays}-day maximum for ${audience} certificates`,
      remediation: `Reissue the certificate with a lifetime of at most ${maxDays} days and automate its renewal.`,
      details: { validityDays: days, maxDays, audience },
    };
  },
});

const keySize = (tls: TlsPolicySettings): PolicyRule => ({
  id: 'tls.key-size',
  appliesTo: TLS,
  defaultSeverity: 'error',
  description:
    'Keys are RSA of at least the minimum size, ECDSA on at least P-256, or Ed25519/Ed448.',
  parameters: () => ({
    minRsaBits: tls.minRsaBits,
    minEcdsaBits: tls.minEcdsaBits,
  }),
  evaluate({ identity }) {
    const family = tlsKeyFamily(identity.keyAlgorithm);
    const remediation =
      'Reissue the certificate with an ECDSA P-256 (or larger) or RSA 2048+ key; prefer ECDSA.';
    if (family === 'rsa') {
      const bits = identity.keySize;
      if (bits === undefined || bits >= tls.minRsaBits) {
        return undefined;
      }
      return {
        ruleId: 'tls.key-size',
        severity: 'error',
        message: `RSA key of ${bits} bits is below the ${tls.minRsaBits}-bit minimum`,
        remediation,
        details: { keyAlgorithm: 'rsa', bits, minBits: tls.minRsaBits },
      };
    }
    if (family === 'ec') {
      const bits = curveBits(identity.curve) ?? identity.keySize;
      if (bits === undefined || bits >= tls.minEcdsaBits) {
        return undefined;
      }
      return {
        ruleId: 'tls.key-size',
        severity: 'error',
        message: `ECDSA key on ${identity.curve ?? `a ${bits}-bit curve`} is below the P-${tls.minEcdsaBits} minimum`,
        remediation,
        details: { keyAlgorithm: 'ecdsa', bits, minBits: tls.minEcdsaBits },
      };
    }
    if (family === 'dsa') {
      return {
        ruleId: 'tls.key-size',
        severity: 'error',
        message: `DSA key${identity.keySize ? ` of ${identity.keySize} bits` : ''} is not an accepted key type`,
        remediation,
        details: { keyAlgorithm: 'dsa', bits: identity.keySize },
      };
    }
    return undefined;
  },
});

const issuer = (tls: TlsPolicySettings): PolicyRule => ({
  id: 'tls.issuer',
  appliesTo: TLS,
  defaultSeverity: 'error',
  description: 'The certificate chain ends in one of the approved CAs.',
  parameters: () => ({ approvedIssuers: tls.approvedIssuers }),
  evaluate({ identity }) {
    if (
      tls.approvedIssuers.length === 0 ||
      identity.chainTrusted !== false
    ) {
      return undefined;
    }
    return {
      ruleId: 'tls.issuer',
      severity: 'error',
      message: `Issuer ${identity.issuer ?? '(unknown)'} does not chain to any of the ${tls.approvedIssuers.length} approved CAs`,
      remediation:
        'Reissue the certificate from an approved CA (see machineIdentity.policietls.approvedIssuers).',
    };
  },
});

const automation: PolicyRule = {
  id: 'tls.automation',
  appliesTo: TLS,
  defaultSeverity: 'warning',
  description:
    'Renewal is automated (cert-manager, ACME or a rotation schedule).',
  parameters: () => ({}),
  evaluate({ identity }) {
    if (identity.management === 'automated' || identity.isCa) {
      return undefined;
    }
    return {
      ruleId: 'tls.automation',
      severity: 'warning',
      message: `Renewal is ${identity.management}: no automated issuer was found`,
      remediation:
        'Issue the certificate through cert-manager or an ACME client so it renews itself.',
    };
  },
};

const expiry = (tls: TlsPolicySettings): PolicyRule => ({
  id: 'tls.expiry',
  appliesTo: TLS,
  defaultSeverity: 'warning',
  description:
    'Alerts before expiry at fixed day thresholds and when a share of the lifetime is left; within the smallest threshold it is an error.',
  parameters: () => ({
    expiryWarningDays: tls.expiryWarningDays,
    expiryWarningLifetimeShare: tls.expiryWarningLifetimeShare,
  }),
  evaluate({ identity, nowMs }) {
    const to = parseTime(identity.notAfter);
    if (to === undefined || nowMs > to) {
      return undefined;
    }
    const thresholds = tls.expiryWarningDays;
    const daysLeft = (to - nowMs) / DAY_MS;
    let threshold: number | undefined;
    for (const t of thresholds) {
      if (daysLeft <= t && (threshold === undefined || t < threshold)) {
        threshold = t;
      }
    }
    const from = parseTime(identity.notBefore);
    const share = tls.expiryWarningLifetimeShare;
    const lifetime = from === undefined ? undefined : to - from;
    const shareLeft =
      lifetime !== undefined && lifetime > 0 ? (to - nowMs) / lifetime : undefined;
    const byShare = shareLeft !== undefined && share > 0 && shareLeft <= share;
    if (threshold === undefined && !byShare) {
      return undefined;
    }
    const smallest = thresholds.length ? Math.min(...thresholds) : undefined;
    const severity =
      smallest !== undefined && daysLeft <= smallest ? 'error' : 'warning';
    const reasons: string[] = [];
    if (threshold !== undefined) {
      reasons.push(`within the ${threshold}-day warning threshold`);
    }
    if (byShare) {
      reasons.push(
        `${Math.floor(shareLeft! * 100)}% of its ${formatDays(lifetime! / DAY_MS)} lifetime left (warning at ${Math.round(share * 100)}%)`,
      );
    }
    return {
      ruleId: 'tls.expiry',
      severity,
      message: `Expires in ${formatDays(daysLeft)} on ${identity.notAfter}: ${reasons.join(', ')}`,
      remediation:
        identity.management === 'automated'
          ? 'Automated renewal has not replaced this certificate yet: check the issuer (cert-manager Certificate / ACME client) for errors.'
          : 'Renew the certificate and deploy it, then automate its renewal.',
      details: {
        daysLeft,
        threshold,
        lifetimeShareLeft: shareLeft,
        notAfter: identity.notAfter,
      },
    };
  },
});

const expired: PolicyRule = {
  id: 'tls.expired',
  appliesTo: TLS,
  defaultSeverity: 'error',
  description: 'The certificate is past its notAfter date.',
  parameters: () => ({}),
  evaluate({ identity, nowMs }) {
    const to = parseTime(identity.notAfter);
    if (to === undefined || nowMs <= to) {
      return undefined;
    }
    const days = (nowMs - to) / DAY_MS;
    return {
      ruleId: 'tls.expired',
      severity: 'error',
      message: `Expired ${formatDays(days)} ago on ${identity.notAfter}`,
      remediation:
        'Replace the certificate now, or remove it from every location it is still served or stored.',
      details: { daysAgo: days, notAfter: identity.notAfter },
    };
  },
};

const WEAK_SIGNATURE = /sha-?1(?!\d)|md5|md2|md4/i;

const sha1Signature: PolicyRule = {
  id: 'tls.sha1-signature',
  appliesTo: TLS,
  defaultSeverity: 'error',
  description:
    'The certificate is not signed with SHA-1 (or an older hash such as MD5).',
  parameters: () => ({}),
  evaluate({ identity }) {
    const alg = identity.signatureAlgorithm;
    // A self-signed root's own signature is never verified by clients.
    if (!alg || (identity.isCa && identity.selfSigned) || !WEAK_SIGNATURE.test(alg)) {
      return undefined;
    }
    return {
      ruleId: 'tls.sha1-signature',
      severity: 'error',
      message: `Signed with ${alg}, a broken hash algorithm`,
      remediation:
        'Reissue the certificate with a SHA-256 (or stronger) signature.',
    };
  },
};

const selfSigned: PolicyRule = {
  id: 'tls.self-signed',
  appliesTo: TLS,
  defaultSeverity: 'error',
  description:
    'Certificates used by production Components are not self-signed.',
  parameters: () => ({ lifecycle: 'production' }),
  evaluate({ identity, context }) {
    if (
      identity.selfSigned !== true ||
      identity.isCa ||
      context.componentLifecycle !== 'production'
    ) {
      return undefined;
    }
    return {
      ruleId: 'tls.self-signed',
      severity: 'error',
      message: `Self-signed certificate used by a production Component${identity.component ? ` (${identity.component})` : ''}`,
      remediation:
        'Issue the certificate from an approved CA; clients cannot verify a self-signed certificate.',
    };
  },
};

/**
 * The TLS certificate rules, in evaluation order, with their thresholds
 * (`machineIdentity.policies.tls`, read by {@link readTlsPolicySettings}) on
 * top of {@link DEFAULT_TLS_POLICY_SETTINGS}. The TLS module registers them
 * through `machineIdentityPolicyRulesExtensionPoint`.
 */
export function createTlsPolicyRules(settings: TlsPolicySettingsOverrides = {}): readonly PolicyRule[] {
  const tls: TlsPolicySettings = {
    ...DEFAULT_TLS_POLICY_SETTINGS,
    ...settings,
    maxValidityDays: { ...DEFAULT_TLS_POLICY_SETTINGS.maxValidityDays, ...settings.maxValidityDays },
  };
  return [expired, expiry(tls), validity(tls), keySize(tls), sha1Signature, issuer(tls), selfSigned, automation];
}

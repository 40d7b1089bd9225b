import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { PolicyRule } from './PolicyRule';
import type { PolicySettings } from './PolicySettings';

const SA = ['service-account'] as const;

const SEGMENT = '[a-z0-9]+';
const SEGMENTS = '[a-z0-9]+(?:-[a-z0-9]+)*';

/**
 * Compiles a naming template into an anchored regular expression:
 * `{placeholder}` is one lower-case alphanumeric segment (the last
 * placeholder may span several `-`-separated segments), `*` is any run of
 * name characters, everything else is literal. `svc-{team}-{purpose}`
 * accepts `svc-payments-api` and `svc-payments-db-backup`.
 */
export function compileNamingPattern(pattern: string): RegExp {
  const parts = pattern.split(/(\{[^}]+\}|\*)/).filter(p => p !== '');
  const lastPlaceholder = parts.map(p => p.startsWith('{')).lastIndexOf(true);
  const source = parts
    .map((part, index) => {
      if (part === '*') {
        return '[a-z0-9._-]+';
      }
      if (part.startsWith('{')) {
        return index === lastPlaceholder ? SEGMENTS : SEGMENT;
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** The regular expression the naming rule applies, from the settings. */
export function namingRegex(settings: PolicySettings): RegExp {
  const { namingRegex: regex, namingPattern } = settings.serviceAccount;
  return regex ? new RegExp(regex) : compileNamingPattern(namingPattern);
}

/**
 * The account's own name: `extra.name` when a scanner recorded it, else the
 * last segment of the display name (`ns/name`, `system:serviceaccount:ns:name`,
 * `arn:aws:iam::123:user/name`).
 */
export function serviceAccountName(identity: Identity): string {
  const name = identity.extra?.name;
  if (typeof name === 'string' && name) {
    return name;
  }
  const parts = identity.displayName.split(/[/:]/);
  return parts[parts.length - 1];
}

const compiled = new WeakMap<PolicySettings, RegExp>();

const naming: PolicyRule = {
  id: 'service-account.naming',
  appliesTo: SA,
  defaultSeverity: 'warning',
  description: 'Service account names follow the naming convention, so the team and purpose are readable.',
  parameters: s => ({
    namingPattern: s.serviceAccount.namingRegex ?? s.serviceAccount.namingPattern,
    namingExemptions: s.serviceAccount.namingExemptions,
  }),
  evaluate({ identity, settings }) {
    const name = serviceAccountName(identity);
    if (settings.serviceAccount.namingExemptions.includes(name)) {
      return undefined;
    }
    let regex = compiled.get(settings);
    if (!regex) {
      regex = namingRegex(settings);
      compiled.set(settings, regex);
    }
    if (regex.test(name)) {
      return undefined;
    }
    const expected = settings.serviceAccount.namingRegex ?? settings.serviceAccount.namingPattern;
    return {
      ruleId: 'service-account.naming',
      severity: 'warning',
      message: `Name "${name}" does not follow the naming convention ${expected}`,
      remediation: `Create a replacement account named like ${expected}, move the workload to it, and retire this one.`,
      details: { name, expected },
    };
  },
};

const admin: PolicyRule = {
  id: 'service-account.admin',
  appliesTo: SA,
  defaultSeverity: 'warning',
  description: 'Service accounts hold no administrator-level permissions.',
  parameters: () => ({}),
  evaluate({ identity }) {
    if (identity.admin !== true) {
      return undefined;
    }
    return {
      ruleId: 'service-account.admin',
      severity: 'warning',
      message: 'Service account holds administrator-level permissions',
      remediation: 'Replace the admin grant with a role that lists only the permissions the workload uses.',
    };
  },
};

const staticKeys: PolicyRule = {
  id: 'service-account.static-keys',
  appliesTo: SA,
  defaultSeverity: 'warning',
  description:
    'Service accounts use workload identity (short-lived, federated credentials) rather than long-lived static keys where the platform allows it.',
  parameters: () => ({}),
  evaluate({ identity }) {
    const keys = identity.staticKeys ?? 0;
    if (keys <= 0 || identity.extra?.workloadIdentityPossible === false) {
      return undefined;
    }
    return {
      ruleId: 'service-account.static-keys',
      severity: 'warning',
      message: `Service account has ${keys} long-lived static key${keys === 1 ? '' : 's'} where workload identity is possible`,
      remediation:
        'Switch the workload to workload identity (IRSA / projected service account tokens / OIDC federation) and delete the static keys.',
      details: { staticKeys: keys },
    };
  },
};

/** Service account rules, in evaluation order. */
export const serviceAccountRules: readonly PolicyRule[] = [naming, admin, staticKeys];

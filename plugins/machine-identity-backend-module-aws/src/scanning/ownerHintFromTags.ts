import type { OwnerHint } from '@keyring/plugin-machine-identity-node';

/** Tag naming the owning Group (`group:default/payments` or `payments`). */
export const TAG_OWNER = 'keyring.io/owner';
/** Tag naming the Component that uses the resource. */
export const TAG_COMPONENT = 'keyring.io/component';

/** An owner hint from a resource's `keyring.io/owner` and `keyring.io/component` tags. */
export function ownerHintFromTags(
  tags: Array<{ Key?: string; Value?: string }> | undefined,
  resource: string,
): OwnerHint | undefined {
  const owner = tags?.find(t => t.Key === TAG_OWNER)?.Value?.trim();
  const component = tags?.find(t => t.Key === TAG_COMPONENT)?.Value?.trim();
  if (!owner && !component) return undefined;
  const via = [owner && `${TAG_OWNER}=${owner}`, component && `${TAG_COMPONENT}=${component}`].filter(Boolean).join(', ');
  return {
    owner: owner ? (owner.includes(':') ? owner : `group:default/${owner}`) : undefined,
    component: component || undefined,
    via: `aws tags ${via} on ${resource}`,
  };
}

/** Trusted principals of a role's trust policy, as `Service:ec2.amazonaws.com`, `AWS:arn:…`, `Federated:…` or `*`. */
export function trustedPrincipals(document: unknown): string[] {
  const out = new Set<string>();
  const statements = (document as { Statement?: unknown })?.Statement;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const s = statement as { Effect?: string; Principal?: unknown } | undefined;
    if (s?.Effect !== 'Allow' || s.Principal === undefined) continue;
    if (typeof s.Principal === 'string') {
      out.add(s.Principal);
      continue;
    }
    for (const [kind, value] of Object.entries(s.Principal as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) out.add(`${kind}:${String(v)}`);
    }
  }
  return [...out];
}

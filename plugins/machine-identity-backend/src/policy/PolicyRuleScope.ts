import type { Identity, Severity } from '@keyring/plugin-machine-identity-common';
import type { PolicyContext } from './types';

/**
 * How config narrows one rule (`machineIdentity.policies.rules[]`). Every
 * list given must match; an absent list matches everything.
 */
export interface PolicyRuleScope {
  /** Rule id, e.g. `tls.validity`. */
  id: string;
  /** `false` switches the rule off (same as listing it in `disabledRules`). */
  enabled?: boolean;
  /** Only these identity types. */
  types?: string[];
  /** Only identities owned by these entity refs (`group:default/payments` or `payments`). */
  owners?: string[];
  /** Only identities whose context carries at least one of these tags. */
  tags?: string[];
  /** Never identities owned by these entity refs. */
  excludeOwners?: string[];
  /** Never identities whose context carries one of these tags. */
  excludeTags?: string[];
  /** Report this severity instead of the rule's own. */
  severity?: Severity;
}

/** Normalizes an owner reference: `payments` → `group:default/payments`, lower-case. */
export function normalizeOwnerRef(ref: string): string {
  let value = ref.trim().toLowerCase();
  if (!value.includes(':')) {
    value = `group:${value}`;
  }
  if (!value.includes('/')) {
    value = value.replace(':', ':default/');
  }
  return value;
}

/** A scope compiled for fast matching. */
export class CompiledScope {
  private readonly owners?: Set<string>;
  private readonly excludeOwners?: Set<string>;
  private readonly tags?: Set<string>;
  private readonly excludeTags?: Set<string>;

  constructor(scope: PolicyRuleScope) {
    this.owners = scope.owners && new Set(scope.owners.map(normalizeOwnerRef));
    this.excludeOwners =
      scope.excludeOwners && new Set(scope.excludeOwners.map(normalizeOwnerRef));
    this.tags = scope.tags && new Set(scope.tags.map(t => t.toLowerCase()));
    this.excludeTags =
      scope.excludeTags && new Set(scope.excludeTags.map(t => t.toLowerCase()));
  }

  /** Whether the scope has owner or tag conditions (types are handled by the engine). */
  get hasConditions(): boolean {
    return Boolean(this.owners || this.excludeOwners || this.tags || this.excludeTags);
  }

  matches(identity: Identity, context: PolicyContext): boolean {
    if (this.owners || this.excludeOwners) {
      const owner = identity.owner ? normalizeOwnerRef(identity.owner) : undefined;
      if (this.owners && (!owner || !this.owners.has(owner))) {
        return false;
      }
      if (this.excludeOwners && owner && this.excludeOwners.has(owner)) {
        return false;
      }
    }
    if (this.tags || this.excludeTags) {
      const tags = (context.tags ?? []).map(t => t.toLowerCase());
      if (this.tags && !tags.some(t => this.tags!.has(t))) {
        return false;
      }
      if (this.excludeTags && tags.some(t => this.excludeTags!.has(t))) {
        return false;
      }
    }
    return true;
  }
}

import type { OwnershipDecision, OwnershipInput } from './types';
import { ComponentIndex } from './ComponentIndex';
import { normalizeComponentRef, normalizeOwnerRef } from './refs';

/**
 * Decides who owns an identity, in DESIGN order: explicit review decision >
 * source metadata (owner hints) > Component annotations > fallback Group.
 * The owner is the Component's `spec.owner` unless the source names one.
 */
export class OwnershipResolver {
  private index: ComponentIndex = ComponentIndex.empty();

  private constructor(private readonly fallbackOwner?: string) {}

  /** Creates a resolver with the configured fallback owner of orphans. */
  static create(options: { fallbackOwner?: string }): OwnershipResolver {
    return new OwnershipResolver(
      options.fallbackOwner ? normalizeOwnerRef(options.fallbackOwner) : undefined,
    );
  }

  /** Replaces the Component index (after reading the catalog). */
  setIndex(index: ComponentIndex) {
    this.index = index;
  }

  /** The current Component index. */
  getIndex(): ComponentIndex {
    return this.index;
  }

  /** Resolves one identity; pure and synchronous. */
  resolve = (input: OwnershipInput): OwnershipDecision => {
    if (input.reviewOwner || input.reviewComponent) {
      const component = input.reviewComponent
        ? normalizeComponentRef(input.reviewComponent)
        : undefined;
      const owner =
        (input.reviewOwner && normalizeOwnerRef(input.reviewOwner)) ||
        (component ? this.index.getComponent(component)?.owner : undefined);
      if (owner) {
        return { owner, component, rule: 'review-decision', via: 'explicit review decision' };
      }
    }

    const hint = input.ownerHint;
    if (hint && (hint.owner || hint.component)) {
      const component = hint.component ? normalizeComponentRef(hint.component) : undefined;
      const indexed = component ? this.index.getComponent(component) : undefined;
      const owner = (hint.owner && normalizeOwnerRef(hint.owner)) || indexed?.owner;
      if (owner) {
        return {
          owner,
          component,
          rule: 'source-metadata',
          via: hint.via,
        };
      }
    }

    const [match] = this.index.match(input.links, input.sshLogins);
    if (match?.component.owner) {
      return {
        owner: match.component.owner,
        component: match.component.ref,
        rule: 'component-annotation',
        via: `${match.annotation} ${match.pattern} on ${match.component.ref}`,
      };
    }

    return {
      owner: this.fallbackOwner,
      rule: 'fallback',
      via: this.fallbackOwner
        ? `no rule matched; fallback owner ${this.fallbackOwner} (orphan)`
        : 'no rule matched and no machineIdentity.fallbackOwner configured (orphan)',
    };
  };
}

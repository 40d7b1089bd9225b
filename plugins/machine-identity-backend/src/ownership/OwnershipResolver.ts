import type { OwnershipDecision, OwnershipInput } from './types';
import type { OwnerHint } from '@keyring/plugin-machine-identity-node';
import { ComponentIndex } from './ComponentIndex';
import { normalizeComponentRef, normalizeOwnerRef } from './refs';

/**
 * Decides who owns an identity: explicit review decision > authoritative
 * source metadata (owner hints from tags and labels) > Component annotations
 * > hints that only fill a gap (SSH key comments) > fallback Group.
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

  private fromHint(hint: OwnerHint): OwnershipDecision | undefined {
    if (!hint.owner && !hint.component) {
      return undefined;
    }
    const component = hint.component ? normalizeComponentRef(hint.component) : undefined;
    const owner = (hint.owner && normalizeOwnerRef(hint.owner)) || (component ? this.index.getComponent(component)?.owner : undefined);
    return owner ? { owner, component, rule: 'source-metadata', via: hint.via } : undefined;
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

    // Authoritative source metadata (cloud tags, labels) outranks annotations.
    const hint = input.ownerHint;
    const fromHint = hint && !hint.fillsGapOnly ? this.fromHint(hint) : undefined;
    if (fromHint) {
      return fromHint;
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

    // A hint anyone who edits the credential can write (an SSH key comment) only fills the gap.
    const gap = hint?.fillsGapOnly ? this.fromHint(hint) : undefined;
    if (gap) {
      return { ...gap, via: `${gap.via} (no Component annotation matched)` };
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

import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_AWS_IAM_ROLES,
  ANNOTATION_AWS_IAM_USERS,
  ANNOTATION_HOSTNAMES,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_SSH_ACCOUNTS,
  ANNOTATION_SSH_HOSTS,
} from '@keyring/plugin-machine-identity-common';
import type { IdentityLinks } from '@keyring/plugin-machine-identity-node';
import { splitAnnotation, wildcardToRegExp } from './hostnameMatch';
import { normalizeOwnerRef } from './refs';

/** A Component as ownership resolution needs it. */
export interface IndexedComponent {
  ref: string;
  owner?: string;
  lifecycle?: string;
  tags?: string[];
}

/** A Component matched by an annotation value. */
export interface ComponentMatch {
  component: IndexedComponent;
  annotation: string;
  pattern: string;
  exact: boolean;
}

/** Which annotation each kind of link is matched against. */
export const LINK_ANNOTATION_BY_KEY: Record<keyof IdentityLinks, string> = {
  hostnames: ANNOTATION_HOSTNAMES,
  sshHosts: ANNOTATION_SSH_HOSTS,
  sshAccounts: ANNOTATION_SSH_ACCOUNTS,
  awsIamUsers: ANNOTATION_AWS_IAM_USERS,
  awsIamRoles: ANNOTATION_AWS_IAM_ROLES,
  kubernetesIds: ANNOTATION_KUBERNETES_ID,
};

type Wildcard = { regex: RegExp; pattern: string; ref: string };

class AnnotationIndex {
  readonly exact = new Map<string, string[]>();
  /** Patterns `*.rest` indexed by `rest`: one map lookup per value. */
  readonly leftmostWildcards = new Map<string, Wildcard[]>();
  /** Any other wildcard pattern, tested one by one. */
  readonly otherWildcards: Wildcard[] = [];

  add(pattern: string, ref: string) {
    if (!pattern.includes('*')) {
      const list = this.exact.get(pattern) ?? [];
      list.push(ref);
      this.exact.set(pattern, list);
      return;
    }
    const w = { regex: wildcardToRegExp(pattern), pattern, ref };
    if (pattern.startsWith('*.') && !pattern.slice(2).includes('*')) {
      const rest = pattern.slice(2);
      const list = this.leftmostWildcards.get(rest) ?? [];
      list.push(w);
      this.leftmostWildcards.set(rest, list);
    } else {
      this.otherWildcards.push(w);
    }
  }
}

/**
 * In-memory index of catalog Components by their Keyring link annotations:
 * exact values in hash maps, leftmost-label wildcards keyed by their suffix,
 * so resolving 300,000 identities costs a few map lookups each.
 */
export class ComponentIndex {
  private readonly components = new Map<string, IndexedComponent>();
  private readonly indexes = new Map<string, AnnotationIndex>();

  /** Builds the index from Component entities. */
  static fromEntities(entities: Iterable<Entity>): ComponentIndex {
    const index = new ComponentIndex();
    for (const entity of entities) {
      index.add(entity);
    }
    return index;
  }

  /** An empty index (before the catalog was read). */
  static empty(): ComponentIndex {
    return new ComponentIndex();
  }

  private add(entity: Entity) {
    const ref = stringifyEntityRef(entity).toLowerCase();
    const spec = (entity.spec ?? {}) as { owner?: unknown; lifecycle?: unknown };
    const tags = entity.metadata.tags;
    this.components.set(ref, {
      ref,
      owner:
        typeof spec.owner === 'string'
          ? normalizeOwnerRef(spec.owner, entity.metadata.namespace)
          : undefined,
      lifecycle: typeof spec.lifecycle === 'string' ? spec.lifecycle : undefined,
      tags: Array.isArray(tags) ? tags.map(String) : undefined,
    });
    const annotations = entity.metadata.annotations ?? {};
    const labels = entity.metadata.labels ?? {};
    for (const annotation of Object.values(LINK_ANNOTATION_BY_KEY)) {
      const value =
        annotations[annotation] ??
        (annotation === ANNOTATION_KUBERNETES_ID ? labels[annotation] : undefined);
      for (const pattern of splitAnnotation(value)) {
        let idx = this.indexes.get(annotation);
        if (!idx) {
          idx = new AnnotationIndex();
          this.indexes.set(annotation, idx);
        }
        idx.add(pattern, ref);
      }
    }
  }

  /** Number of Components indexed. */
  get size(): number {
    return this.components.size;
  }

  /** A Component by ref (lower-case `component:namespace/name`). */
  getComponent(ref: string): IndexedComponent | undefined {
    return this.components.get(ref.toLowerCase());
  }

  /**
   * Every Component whose annotations match one of the identity's links;
   * exact matches first, then wildcards, each ordered by ref for determinism.
   */
  match(links: IdentityLinks | undefined): ComponentMatch[] {
    if (!links) {
      return [];
    }
    const exact: ComponentMatch[] = [];
    const wild: ComponentMatch[] = [];
    for (const [key, annotation] of Object.entries(LINK_ANNOTATION_BY_KEY)) {
      const idx = this.indexes.get(annotation);
      const values = links[key as keyof IdentityLinks];
      if (!idx || !values) continue;
      for (const raw of values) {
        const value = raw.trim().toLowerCase();
        for (const ref of idx.exact.get(value) ?? []) {
          exact.push({ component: this.components.get(ref)!, annotation, pattern: value, exact: true });
        }
        const dot = value.indexOf('.');
        const candidates = [
          ...(dot > 0 ? (idx.leftmostWildcards.get(value.slice(dot + 1)) ?? []) : []),
          ...idx.otherWildcards,
        ];
        for (const w of candidates) {
          if (w.regex.test(value)) {
            wild.push({ component: this.components.get(w.ref)!, annotation, pattern: w.pattern, exact: false });
          }
        }
      }
    }
    const byRef = (a: ComponentMatch, b: ComponentMatch) =>
      a.component.ref.localeCompare(b.component.ref);
    return [...exact.sort(byRef), ...wild.sort(byRef)];
  }
}

import { hash } from 'node:crypto';
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

/**
 * One SSH sighting's host and account together (an `authorized_keys` file of
 * `account` on `host`), so that host and account are matched per sighting.
 */
export interface SshLogin {
  host: string;
  account: string;
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
  /** Refs whose pattern matches `value`, each with whether the match is exact. */
  lookup(value: string): Array<{ ref: string; pattern: string; exact: boolean }> {
    const out: Array<{ ref: string; pattern: string; exact: boolean }> = [];
    for (const ref of this.exact.get(value) ?? []) {
      out.push({ ref, pattern: value, exact: true });
    }
    const dot = value.indexOf('.');
    const candidates = [
      ...(dot > 0 ? (this.leftmostWildcards.get(value.slice(dot + 1)) ?? []) : []),
      ...this.otherWildcards,
    ];
    for (const w of candidates) {
      if (w.regex.test(value)) {
        out.push({ ref: w.ref, pattern: w.pattern, exact: false });
      }
    }
    return out;
  }

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
 *
 * A Component that declares both `keyring.io/ssh-hosts` and
 * `keyring.io/ssh-accounts` matches an SSH sighting only when the sighting's
 * host and account both match (see {@link SshLogin}); with one of the two
 * annotations, that one alone decides.
 */
export class ComponentIndex {
  private readonly components = new Map<string, IndexedComponent>();
  private readonly indexes = new Map<string, AnnotationIndex>();
  /** Hosts and accounts of Components declaring both SSH annotations. */
  private readonly pairHosts = new AnnotationIndex();
  private readonly pairAccounts = new AnnotationIndex();
  /**
   * Changes whenever anything ownership or policy reads of a Component
   * changes (ref, owner, lifecycle, tags, annotations): a scan re-resolves
   * identities it would otherwise skip as unchanged.
   */
  version = 'empty';

  /** Builds the index from Component entities. */
  static fromEntities(entities: Iterable<Entity>): ComponentIndex {
    const index = new ComponentIndex();
    const parts: string[] = [];
    for (const entity of entities) {
      index.add(entity);
      parts.push(JSON.stringify([stringifyEntityRef(entity), entity.spec?.owner, entity.spec?.lifecycle, entity.metadata.tags, entity.metadata.annotations]));
    }
    index.version = hash('sha256', parts.sort().join('\n'), 'base64url');
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
    const sshHosts = splitAnnotation(annotations[ANNOTATION_SSH_HOSTS]);
    const sshAccounts = splitAnnotation(annotations[ANNOTATION_SSH_ACCOUNTS]);
    const pairOnly = sshHosts.length > 0 && sshAccounts.length > 0;
    if (pairOnly) {
      for (const pattern of sshHosts) this.pairHosts.add(pattern, ref);
      for (const pattern of sshAccounts) this.pairAccounts.add(pattern, ref);
    }
    for (const annotation of Object.values(LINK_ANNOTATION_BY_KEY)) {
      if (pairOnly && (annotation === ANNOTATION_SSH_HOSTS || annotation === ANNOTATION_SSH_ACCOUNTS)) {
        continue;
      }
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
   * Every Component whose annotations match one of the identity's links, or
   * (for Components declaring both SSH annotations) one of its SSH logins.
   * Exact matches first, then wildcards; within each, host-and-account
   * matches before single-annotation ones, then by ref for determinism.
   */
  match(links: IdentityLinks | undefined, sshLogins?: SshLogin[]): ComponentMatch[] {
    const exactPairs: ComponentMatch[] = [];
    const wildPairs: ComponentMatch[] = [];
    const exact: ComponentMatch[] = [];
    const wild: ComponentMatch[] = [];
    for (const login of sshLogins ?? []) {
      const host = login.host.trim().toLowerCase();
      const account = login.account.trim().toLowerCase();
      const accounts = this.pairAccounts.lookup(account);
      if (accounts.length === 0) continue;
      for (const h of this.pairHosts.lookup(host)) {
        for (const a of accounts) {
          if (a.ref !== h.ref) continue;
          (h.exact && a.exact ? exactPairs : wildPairs).push({
            component: this.components.get(h.ref)!,
            annotation: `${ANNOTATION_SSH_HOSTS} + ${ANNOTATION_SSH_ACCOUNTS}`,
            pattern: `${a.pattern}@${h.pattern}`,
            exact: h.exact && a.exact,
          });
        }
      }
    }
    for (const [key, annotation] of Object.entries(LINK_ANNOTATION_BY_KEY)) {
      const idx = this.indexes.get(annotation);
      const values = links?.[key as keyof IdentityLinks];
      if (!idx || !values) continue;
      for (const raw of values) {
        for (const m of idx.lookup(raw.trim().toLowerCase())) {
          (m.exact ? exact : wild).push({
            component: this.components.get(m.ref)!,
            annotation,
            pattern: m.pattern,
            exact: m.exact,
          });
        }
      }
    }
    const byRef = (a: ComponentMatch, b: ComponentMatch) =>
      a.component.ref.localeCompare(b.component.ref);
    return [...exactPairs.sort(byRef), ...exact.sort(byRef), ...wildPairs.sort(byRef), ...wild.sort(byRef)];
  }
}

import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** Normalises an owner reference (`payments`, `group:payments`) to `group:default/payments`, lower-case. */
export function normalizeOwnerRef(
  ref: string,
  defaultNamespace = 'default',
): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'group', defaultNamespace }),
    ).toLowerCase();
  } catch {
    return undefined;
  }
}

/** Normalises a Component reference (bare names are Components in `default`). */
export function normalizeComponentRef(ref: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'component', defaultNamespace: 'default' }),
    ).toLowerCase();
  } catch {
    return undefined;
  }
}

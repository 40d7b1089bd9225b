/**
 * Matching of annotation values against identity links, with `*` wildcards
 * as in TLS subject alternative names: `*` stands for any run of characters
 * inside one dot-separated label, so `*.payments.example.test` matches
 * `api.payments.example.test` but neither `payments.example.test` nor
 * `a.b.payments.example.test`. Comparison is case-insensitive.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  const source = pattern
    .toLowerCase()
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^.]*');
  return new RegExp(`^${source}$`);
}

/** Whether a single pattern (possibly with `*`) matches a value. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const p = pattern.trim().toLowerCase();
  const v = value.trim().toLowerCase();
  if (!p.includes('*')) {
    return p === v;
  }
  return wildcardToRegExp(p).test(v);
}

/** Splits a comma-separated annotation value into trimmed, lower-cased entries. */
export function splitAnnotation(value: string | undefined): string[] {
  if (!value) {
    return [];
  }
  return value
    .split(',')
    .map(v => v.trim().toLowerCase())
    .filter(v => v.length > 0);
}

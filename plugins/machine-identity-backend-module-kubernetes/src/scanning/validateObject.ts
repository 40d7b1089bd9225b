/** The parts of an object's metadata the scanner reads. */
export interface KubeObjectLike {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: unknown;
    annotations?: unknown;
  };
}

function isStringMap(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(v => typeof v === 'string');
}

/**
 * Why an object's metadata is unusable, or undefined: a name (and for
 * namespaced kinds a namespace) must be a non-empty string, labels and
 * annotations maps of strings. The client turns a YAML list of annotations
 * into a map of objects, which this catches too.
 */
export function malformedMetadata(object: KubeObjectLike | undefined, namespaced: boolean): string | undefined {
  const meta = object?.metadata;
  if (!meta || typeof meta !== 'object') return 'no metadata';
  if (typeof meta.name !== 'string' || !meta.name) return 'metadata.name is missing';
  if (namespaced && (typeof meta.namespace !== 'string' || !meta.namespace)) return 'metadata.namespace is missing';
  if (!isStringMap(meta.labels)) return 'metadata.labels is not a map of strings';
  if (!isStringMap(meta.annotations)) return 'metadata.annotations is not a map of strings';
  return undefined;
}

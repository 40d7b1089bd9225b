import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './ObjectStore';
import { resourceTypeOfKind } from './resources';

/**
 * Objects of a YAML (or JSON) manifest stream: `---`-separated documents,
 * `kind: List` wrappers unwrapped. Objects of kinds or versions the emulator
 * does not serve, and documents that are not objects, are skipped with the
 * reason (`cert-manager.io/v1alpha2 Certificate testcert-1: not served`).
 * Objects are kept as written, malformed fields included: feeding the scanner
 * what real clusters hold is the point.
 */
export function loadManifests(text: string): { objects: KubeObject[]; skipped: string[] } {
  const objects: KubeObject[] = [];
  const skipped: string[] = [];
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      if (value !== null && value !== undefined) skipped.push('a document that is not an object');
      return;
    }
    const object = value as KubeObject;
    if (object.kind === 'List' && Array.isArray(object.items)) {
      for (const item of object.items) visit(item);
      return;
    }
    const what = `${object.apiVersion} ${object.kind} ${object.metadata?.name ?? '(no name)'}`;
    if (!resourceTypeOfKind(String(object.apiVersion), String(object.kind))) {
      skipped.push(`${what}: not served`);
      return;
    }
    objects.push(object);
  };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      skipped.push(`a document that does not parse: ${doc.errors[0].message.split('\n')[0]}`);
      continue;
    }
    visit(doc.toJS());
  }
  return { objects, skipped };
}

import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { ReviewDecisionInput } from '@keyring/plugin-machine-identity-common';

/**
 * What the spec cannot say about review input, applied after the router has
 * validated its shape against openapi.yaml: Group refs normalised (and
 * refused when they name another kind), comments trimmed, times in UTC.
 */

/** A Group ref, normalised to lower-case `group:namespace/name`. */
export function groupRef(value: string, key: string): string {
  try {
    const ref = parseEntityRef(value, { defaultKind: 'group', defaultNamespace: 'default' });
    if (ref.kind.toLowerCase() !== 'group') throw new Error('not a group');
    return stringifyEntityRef(ref).toLowerCase();
  } catch {
    throw new InputError(`${key} must be a Group ref such as group:default/payments`);
  }
}

/** The decisions of `POST /reviews/campaigns/:id/decisions`, receiving Groups normalised. */
export function decisionInputs(decisions: ReviewDecisionInput[]): ReviewDecisionInput[] {
  return decisions.map((d, index) => ({
    identityId: d.identityId,
    decision: d.decision,
    comment: d.comment,
    toOwner: d.toOwner ? groupRef(d.toOwner, `decisions[${index}].toOwner`) : undefined,
  }));
}

/** An optional comment, trimmed; blank is none. */
export function trimmedComment(body: { comment?: string } | undefined): string | undefined {
  return body?.comment?.trim() || undefined;
}

/** An ISO-8601 timestamp the spec accepted, normalised to UTC. */
export function utcTime(value: string | undefined, key: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InputError(`${key} must be an ISO-8601 timestamp such as 2026-12-01T00:00:00Z`);
  return new Date(ms).toISOString();
}

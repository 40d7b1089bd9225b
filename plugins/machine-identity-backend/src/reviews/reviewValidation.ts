import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  REVIEW_DECISIONS,
  type ReviewDecisionInput,
  type ReviewDecisionKind,
} from '@keyring/plugin-machine-identity-common';

type Fields = Record<string, unknown>;

/** A JSON object body with only `allowed` fields. */
export function objectBody(body: unknown, allowed: readonly string[], shape: string): Fields {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError(`Expected a JSON object ${shape}`);
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new InputError(`Unknown field "${key.slice(0, 40)}"; allowed: ${allowed.join(', ')}`);
    }
  }
  return body as Fields;
}

/** An optional string field of bounded length. */
export function stringField(fields: Fields, key: string, maxLength: number): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InputError(`${key} must be a string`);
  if (value.length > maxLength) throw new InputError(`${key} must be at most ${maxLength} characters`);
  return value;
}

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

/** The body of `POST /reviews/campaigns`. */
export function campaignBody(body: unknown): { owner?: string; dueInDays?: number } {
  const fields = objectBody(body, ['owner', 'dueInDays'], '{ owner?, dueInDays? }');
  const owner = stringField(fields, 'owner', 300);
  const dueInDays = fields.dueInDays;
  if (dueInDays !== undefined && (typeof dueInDays !== 'number' || !Number.isInteger(dueInDays) || dueInDays < 0 || dueInDays > 366)) {
    throw new InputError('dueInDays must be an integer from 0 to 366');
  }
  return { owner: owner ? groupRef(owner, 'owner') : undefined, dueInDays: dueInDays as number | undefined };
}

/** The body of `POST /reviews/campaigns/:id/decisions`. */
export function decisionsBody(body: unknown): ReviewDecisionInput[] {
  const fields = objectBody(body, ['decisions'], '{ decisions: [{ identityId, decision, comment?, toOwner? }] }');
  if (!Array.isArray(fields.decisions)) {
    throw new InputError('decisions must be an array of { identityId, decision, comment?, toOwner? }');
  }
  return fields.decisions.map((raw, index) => {
    const item = objectBody(raw, ['identityId', 'decision', 'comment', 'toOwner'], `decisions[${index}]`);
    const identityId = stringField(item, 'identityId', 200);
    if (!identityId) throw new InputError(`decisions[${index}].identityId is required`);
    const decision = item.decision as ReviewDecisionKind;
    if (!REVIEW_DECISIONS.includes(decision)) {
      throw new InputError(`decisions[${index}].decision must be one of ${REVIEW_DECISIONS.join(', ')}`);
    }
    const toOwner = stringField(item, 'toOwner', 300);
    return {
      identityId,
      decision,
      comment: stringField(item, 'comment', 2000),
      toOwner: toOwner ? groupRef(toOwner, `decisions[${index}].toOwner`) : undefined,
    };
  });
}

/** The optional `{ comment }` body of accept/reject/approve routes. */
export function commentBody(body: unknown): string | undefined {
  return stringField(objectBody(body, ['comment'], '{ comment? }'), 'comment', 2000)?.trim() || undefined;
}

/** An optional ISO-8601 timestamp query parameter, normalised to UTC. */
export function optionalTime(value: string | undefined, key: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InputError(`${key} must be an ISO-8601 timestamp such as 2026-12-01T00:00:00Z`);
  return new Date(ms).toISOString();
}

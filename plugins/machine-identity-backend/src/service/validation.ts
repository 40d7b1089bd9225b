import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Request } from 'express';
import { decodeCursor } from '../database/cursor';

type Query = Request['query'];

/**
 * Rejects parameters a route does not define, and repeated parameters. Values
 * the spec validator already coerced (numbers, booleans) count as given once.
 */
export function checkParams(query: Query | Record<string, unknown>, allowed: readonly string[]) {
  for (const [key, value] of Object.entries(query)) {
    if (!allowed.includes(key)) {
      throw new InputError(`Unknown query parameter "${key}"; allowed: ${allowed.join(', ')}`);
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new InputError(`Query parameter "${key}" must be given once, as a string`);
    }
  }
}

/**
 * An entity ref parameter the spec validator let through, normalised to
 * lower-case `kind:namespace/name` (`payments` = `group:default/payments` for
 * `owner`).
 */
export function entityRefParam(value: string | undefined, key: string, defaultKind: string): string | undefined {
  return value === undefined ? undefined : optionalEntityRef({ [key]: value }, key, defaultKind);
}

/** A cursor parameter, checked to be one this API issued. */
export function cursorParam(value: string | undefined): string | undefined {
  if (value !== undefined) decodeCursor(value);
  return value;
}

/** An optional string parameter of bounded length. */
export function optionalString(query: Query, key: string, maxLength = 200): string | undefined {
  const value = query[key] as string | undefined;
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > maxLength) {
    throw new InputError(`${key} must be 1 to ${maxLength} characters`);
  }
  return value;
}

/** An optional integer parameter within bounds. */
export function optionalInt(query: Query, key: string, min: number, max: number): number | undefined {
  const given = query[key] as string | number | undefined;
  if (given === undefined) return undefined;
  const value = String(given);
  if (!/^-?\d+$/.test(value)) {
    throw new InputError(`${key} must be an integer, got "${value.slice(0, 40)}"`);
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new InputError(`${key} must be between ${min} and ${max}, got ${n}`);
  }
  return n;
}

/** An optional entity ref, normalised to lower-case `kind:namespace/name`. */
export function optionalEntityRef(query: Query, key: string, defaultKind: string): string | undefined {
  const value = optionalString(query, key, 300);
  if (value === undefined) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace: 'default' }),
    ).toLowerCase();
  } catch {
    throw new InputError(`${key} must be an entity ref such as group:default/payments`);
  }
}

/** An optional cursor, checked to be one this API issued. */
export function optionalCursor(query: Query): string | undefined {
  const value = optionalString(query, 'cursor', 500);
  if (value !== undefined) decodeCursor(value);
  return value;
}


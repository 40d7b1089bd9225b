import { InputError } from '@backstage/errors';

/** Encodes a keyset position as an opaque cursor. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

/** Decodes a cursor from {@link encodeCursor}; a malformed cursor is an input error. */
export function decodeCursor(cursor: string): string | number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      value &&
      typeof value === 'object' &&
      (typeof value.k === 'string' || typeof value.k === 'number')
    ) {
      return value.k;
    }
  } catch {
    // fall through to the input error
  }
  throw new InputError('Invalid cursor: pass the nextCursor of a previous page');
}

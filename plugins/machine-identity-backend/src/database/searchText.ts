/** Control characters: never part of a search needle (the join of `search_text` is one). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * The `search_text` column of an identity: its display name and subject,
 * lower-cased, joined by a newline — what the `q` search matches a
 * substring of (migration 20261202160000_identity_search_text).
 */
export function searchTextOf(displayName: string, subject: string | undefined): string {
  return `${displayName.toLowerCase()}\n${(subject ?? '').toLowerCase()}`;
}

/** A `q` needle as matched against `search_text`: lower-cased, without control characters. */
export function searchNeedleOf(q: string): string {
  return q.replace(CONTROL, '').toLowerCase();
}

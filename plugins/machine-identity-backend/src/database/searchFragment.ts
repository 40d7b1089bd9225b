/**
 * Which part of a `q` needle the trigram index should look up.
 *
 * A pg_trgm GIN lookup intersects the posting list of every trigram of the
 * pattern, so its cost follows how common those trigrams are, not how many
 * rows match: in an estate where every subject holds "team" or ".example.",
 * `LIKE '%.team-7.%'` reads five posting lists of every row to find the 2 %
 * that also hold " 7 " (10–14 ms of a 24 ms search at 300,000 identities,
 * against 1.7 ms for `LIKE '%-7.%'`). The index is asked for the cheapest
 * fragment of the needle — one word with the separators beside it, or the
 * whole needle — and the whole needle is then matched exactly (`strpos`) on
 * the candidates, so the answer is the same whichever fragment is chosen.
 */

/** A character pg_trgm counts as part of a word (letters and digits). */
const WORD = /[\p{L}\p{N}]/u;

/** The [start, end) of each word (maximal run of word characters) in `chars`. */
function* wordSpans(chars: string[]): Iterable<[number, number]> {
  for (let i = 0; i < chars.length; ) {
    if (!WORD.test(chars[i])) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < chars.length && WORD.test(chars[j])) j += 1;
    yield [i, j];
    i = j;
  }
}

/**
 * The trigrams pg_trgm extracts from `LIKE '%<fragment>%'` (lower-cased
 * input): each word is padded with two blanks on the left and one on the
 * right where a separator inside the fragment bounds it, and not where the
 * fragment's own end (a wildcard) does.
 */
export function likeTrigrams(fragment: string): string[] {
  const chars = [...fragment];
  const out = new Set<string>();
  for (const [i, j] of wordSpans(chars)) {
    const padded = [...(i > 0 ? '  ' : ''), ...chars.slice(i, j), ...(j < chars.length ? ' ' : '')];
    for (let k = 0; k + 3 <= padded.length; k++) out.add(padded.slice(k, k + 3).join(''));
  }
  return [...out];
}

/** The needle's words, each with the separator on either side of it (which give its padded trigrams). */
function wordFragments(needle: string): string[] {
  const chars = [...needle];
  return [...wordSpans(chars)].map(([i, j]) => chars.slice(Math.max(0, i - 1), Math.min(chars.length, j + 1)).join(''));
}

/**
 * What reading one posting-list entry costs against rechecking one candidate
 * row (~9 ns and ~1.7 µs on PostgreSQL 15 with the table in shared buffers).
 */
const CANDIDATE_COST = 190;

/**
 * The fragment of `needle` whose lookup costs least, given the share of rows
 * holding each trigram (`frequency`, 0–1): the posting lists read plus the
 * candidates rechecked, at most as many as its rarest trigram has (an upper
 * bound: the needle's other trigrams narrow its own candidates further, so a
 * fragment must cost under three quarters of the needle's to be chosen).
 * Never a fragment without trigrams.
 */
export function chooseSearchFragment(needle: string, frequency: (trigram: string) => number): string {
  const cost = (fragment: string) => {
    const shares = likeTrigrams(fragment).map(frequency);
    return shares.length === 0 ? Infinity : shares.reduce((a, b) => a + b, 0) + CANDIDATE_COST * Math.min(...shares);
  };
  let best = needle;
  let bestCost = cost(needle) * 0.75;
  for (const fragment of wordFragments(needle)) {
    const c = cost(fragment);
    if (c < bestCost) [best, bestCost] = [fragment, c];
  }
  return best;
}

/**
 * C0 control characters, DEL, and the Unicode bidirectional controls
 * (LRM/RLM/ALM, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI) that let a name display
 * as something else ("Trojan Source"), or break terminals, logs and tables.
 * C1 code points are kept: legacy name strings decoded byte by byte hold them
 * as parts of UTF-8 sequences, the way OpenSSL prints those names too.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes control and bidirectional-control characters from text read out of
 * a certificate or key (subjects, SANs, comments), so what Keyring stores and
 * shows is what a reader sees. Tabs become spaces; everything else is kept.
 */
export function stripControlCharacters(text: string): string {
  return text.replace(/\t/g, ' ').replace(UNSAFE, '');
}


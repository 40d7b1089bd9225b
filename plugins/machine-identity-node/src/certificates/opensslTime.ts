const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Converts a time as OpenSSL prints it (`Sep  1 00:00:00 2021 GMT`, which is
 * what Node's `X509Certificate.validFrom`/`validTo` return) to ISO-8601.
 * Returns undefined for `Bad time value` or anything else OpenSSL could not print.
 */
export function opensslTimeToIso(text: string): string | undefined {
  const m = text.trim().match(/^(\w{3})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? (\d{1,4}) GMT$/);
  if (!m || !MONTHS.includes(m[1])) return undefined;
  const month = String(MONTHS.indexOf(m[1]) + 1).padStart(2, '0');
  const ms = m[6] ? m[6].slice(1).padEnd(3, '0').slice(0, 3) : '000';
  return `${m[7].padStart(4, '0')}-${month}-${m[2].padStart(2, '0')}T${m[3]}:${m[4]}:${m[5]}.${ms}Z`;
}

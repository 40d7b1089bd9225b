/**
 * How urgent an expiry is: `expired`, `critical` (within 7 days), `warning`
 * (within 30 days), `ok`, or `none` when the identity does not expire.
 */
export type ExpiryStatus = 'expired' | 'critical' | 'warning' | 'ok' | 'none';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole and fractional days from `now` until `notAfter` (negative once expired). */
export function daysUntil(notAfter: string, now: Date = new Date()): number {
  return (new Date(notAfter).getTime() - now.getTime()) / DAY_MS;
}

/** The expiry status of a date; boundaries are inclusive (exactly 7 days is critical). */
export function expiryStatus(
  notAfter: string | undefined,
  now: Date = new Date(),
): ExpiryStatus {
  if (!notAfter || Number.isNaN(new Date(notAfter).getTime())) {
    return 'none';
  }
  const days = daysUntil(notAfter, now);
  if (days < 0) {
    return 'expired';
  }
  if (days <= 7) {
    return 'critical';
  }
  if (days <= 30) {
    return 'warning';
  }
  return 'ok';
}

/** Beyond this many years ahead an expiry is read as "no practical expiry". */
export const PRACTICAL_EXPIRY_YEARS = 100;

const YEAR_DAYS = 365.25;
const MONTH_DAYS = YEAR_DAYS / 12;

function plural(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

/** A span of days as people say it: hours, days (under 90), months (under 2 years), years. */
export function humanDuration(days: number): string {
  const abs = Math.abs(days);
  if (abs < 1) {
    return plural(Math.max(1, Math.floor(abs * 24)), 'hour');
  }
  if (abs < 90) {
    return plural(Math.floor(abs), 'day');
  }
  if (abs < 2 * YEAR_DAYS) {
    return plural(Math.floor(abs / MONTH_DAYS), 'month');
  }
  return plural(Math.floor(abs / YEAR_DAYS), 'year');
}

/**
 * "in 5 days", "in 3 hours", "in 4 months", "in 942 years", "expired 2 days
 * ago", "no practical expiry" (beyond {@link PRACTICAL_EXPIRY_YEARS}), "never".
 */
export function formatExpiry(
  notAfter: string | undefined,
  now: Date = new Date(),
): string {
  if (!notAfter || Number.isNaN(new Date(notAfter).getTime())) {
    return 'never';
  }
  const days = daysUntil(notAfter, now);
  if (days > PRACTICAL_EXPIRY_YEARS * YEAR_DAYS) {
    return 'no practical expiry';
  }
  const amount = humanDuration(days);
  return days < 0 ? `expired ${amount} ago` : `in ${amount}`;
}

/** A date as `2026-11-25` (UTC), or an em dash. */
export function formatDate(value: string | undefined): string {
  if (!value) {
    return '—';
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 10);
}

/** A date and time as `2026-11-25 14:03 UTC`, or an em dash. */
export function formatDateTime(value: string | undefined): string {
  if (!value) {
    return '—';
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

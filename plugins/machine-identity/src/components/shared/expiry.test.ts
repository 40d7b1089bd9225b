import { expiryStatus, formatExpiry } from './expiry';

const now = new Date('2026-11-25T12:00:00Z');
const inDays = (days: number) =>
  new Date(now.getTime() + days * 86_400_000).toISOString();

describe('expiryStatus', () => {
  it('classifies expired, ≤7, ≤30 and later with inclusive boundaries', () => {
    expect(expiryStatus(inDays(-0.01), now)).toBe('expired');
    expect(expiryStatus(inDays(0), now)).toBe('critical');
    expect(expiryStatus(inDays(7), now)).toBe('critical');
    expect(expiryStatus(inDays(7.01), now)).toBe('warning');
    expect(expiryStatus(inDays(30), now)).toBe('warning');
    expect(expiryStatus(inDays(30.01), now)).toBe('ok');
    expect(expiryStatus(undefined, now)).toBe('none');
    expect(expiryStatus('not a date', now)).toBe('none');
  });

  it('formats the time left or since expiry', () => {
    expect(formatExpiry(inDays(5.5), now)).toBe('in 5 days');
    expect(formatExpiry(inDays(1), now)).toBe('in 1 day');
    expect(formatExpiry(inDays(0.25), now)).toBe('in 6 hours');
    expect(formatExpiry(inDays(-2), now)).toBe('expired 2 days ago');
    expect(formatExpiry(undefined, now)).toBe('never');
  });

  it('reads far dates as months and years, and beyond 100 years as no practical expiry', () => {
    expect(formatExpiry(inDays(89.5), now)).toBe('in 89 days');
    expect(formatExpiry(inDays(120), now)).toBe('in 3 months');
    expect(formatExpiry(inDays(800), now)).toBe('in 2 years');
    expect(formatExpiry(inDays(-1200), now)).toBe('expired 3 years ago');
    expect(formatExpiry(inDays(101 * 365.25), now)).toBe('no practical expiry');
    expect(formatExpiry(inDays(99 * 365.25 + 10), now)).toBe('in 99 years');
    expect(formatExpiry('9999-12-31T23:59:59Z', now)).toBe('no practical expiry');
    expect(formatExpiry('9999-12-31T23:59:59Z', now)).not.toMatch(/days/);
  });
});

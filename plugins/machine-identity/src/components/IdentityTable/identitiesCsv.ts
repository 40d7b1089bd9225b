import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { IdentityQuery, MachineIdentityApi } from '../../api/MachineIdentityApi';
import { formatExpiry } from '../shared/expiry';
import { MANAGEMENT_LABELS, REVIEW_LABELS, TYPE_LABELS } from '../shared/labels';

/** Identities per request while downloading (the API's page maximum). */
const CSV_PAGE = 500;

/** The table's columns, as CSV headers and cell values. */
const CSV_COLUMNS: [header: string, value: (identity: Identity, now: Date) => string][] = [
  ['Type', i => TYPE_LABELS[i.type] ?? i.type],
  ['Name', i => i.displayName],
  ['Subject', i => i.subject ?? ''],
  ['Locations', i => String(i.observationCount)],
  ['Owner', i => i.owner ?? ''],
  ['Component', i => i.component ?? ''],
  ['Expires at', i => i.notAfter ?? ''],
  ['Expires', (i, now) => formatExpiry(i.notAfter, now)],
  ['Violations', i => String(i.violationCount)],
  ['Rules broken', i => (i.openRules ?? []).map(r => `${r.ruleId} (${r.severity})`).join('; ')],
  ['Review', i => REVIEW_LABELS[i.reviewStatus] ?? i.reviewStatus],
  ['Management', i => MANAGEMENT_LABELS[i.management] ?? i.management],
];

/** One CSV field, quoted when it holds a comma, quote or line break; formula prefixes are defused. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV header line. */
export function csvHeader(): string {
  return `${CSV_COLUMNS.map(([header]) => field(header)).join(',')}\r\n`;
}

/** CSV lines (CRLF-terminated) of identities, in the table's columns. */
export function csvRows(identities: Identity[], now: Date = new Date()): string {
  return identities
    .map(identity => `${CSV_COLUMNS.map(([, value]) => field(value(identity, now))).join(',')}\r\n`)
    .join('');
}

/**
 * Every identity of a query as a CSV Blob: pages through `GET /identities`
 * by cursor and appends each page as one Blob part, so the text of the whole
 * list is never built as one string. `onProgress` gets the rows so far.
 */
export async function downloadIdentitiesCsv(
  api: Pick<MachineIdentityApi, 'listIdentities'>,
  query: Omit<IdentityQuery, 'cursor' | 'limit'>,
  options: { onProgress?: (rows: number, total?: number) => void; signal?: AbortSignal } = {},
): Promise<Blob> {
  const parts: string[] = [csvHeader()];
  const now = new Date();
  let cursor: string | undefined;
  let rows = 0;
  do {
    options.signal?.throwIfAborted();
    const page = await api.listIdentities({ ...query, cursor, limit: CSV_PAGE });
    parts.push(csvRows(page.items, now));
    rows += page.items.length;
    options.onProgress?.(rows, page.total);
    cursor = page.nextCursor;
  } while (cursor);
  return new Blob(parts, { type: 'text/csv;charset=utf-8' });
}

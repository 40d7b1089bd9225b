import type { Writable } from 'node:stream';
import { EVIDENCE_PARTS } from './controls';
import type { EvidencePartQuery, EvidenceScope } from './EvidenceQuery';

/** Output formats of `GET /evidence`. */
export type EvidenceFormat = 'csv' | 'json';

/** Characters a spreadsheet would read as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
const FLUSH_AT = 64 * 1024;

/** One CSV field: quoted when needed, formula-looking text neutralised with a leading `'`. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = Array.isArray(value) ? value.join('; ') : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (values: unknown[]) => `${values.map(csvField).join(',')}\r\n`;

/** Resolves on `drain` or `close`, whichever comes first, leaving no listener behind. */
function drainedOrClosed(out: Writable): Promise<void> {
  return new Promise(resolve => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Buffered writes that wait for `drain` and stop when the client goes away. */
class Sink {
  private buffer = '';
  constructor(private readonly out: Writable) {}

  async write(text: string) {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  async flush() {
    if (this.out.destroyed) throw new Error('The client closed the evidence export');
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk)) {
      await drainedOrClosed(this.out);
    }
  }
}

/** The summary sheet rows: each part with its controls and row count. */
export function summaryOf(parts: EvidencePartQuery[], counts: number[]) {
  return parts.map((p, i) => {
    const mapping = EVIDENCE_PARTS.find(m => m.part === p.part)!;
    return { part: p.part, available: p.available, rows: counts[i], controls: mapping.controls, description: mapping.description };
  });
}

/**
 * Streams an export: the summary sheet, then every part page by page
 * (CSV sections `section,<part>` with a header row, or one JSON object with
 * an array per part). Returns the number of data rows written.
 */
export async function writeEvidence(options: {
  out: Writable;
  format: EvidenceFormat;
  scope: EvidenceScope;
  parts: EvidencePartQuery[];
  counts: number[];
  generatedAt: string;
}): Promise<number> {
  const { out, format, scope, parts, counts, generatedAt } = options;
  const sink = new Sink(out);
  const summary = summaryOf(parts, counts);
  let written = 0;
  if (format === 'csv') {
    await sink.write(csvLine(['section', 'summary']));
    await sink.write(csvLine(['generated_at', generatedAt, 'from', scope.from, 'to', scope.to, 'owner', scope.owner]));
    await sink.write(csvLine(['part', 'available', 'rows', 'controls', 'description']));
    for (const s of summary) await sink.write(csvLine([s.part, s.available, s.rows, s.controls, s.description]));
    for (const part of parts) {
      await sink.write(`\r\n${csvLine(['section', part.part])}${csvLine(part.columns)}`);
      for await (const row of part.rows()) {
        await sink.write(csvLine(part.columns.map(c => row[c])));
        written++;
      }
    }
  } else {
    await sink.write(`{"generatedAt":${JSON.stringify(generatedAt)},"scope":${JSON.stringify(scope)},"summary":${JSON.stringify(summary)}`);
    for (const part of parts) {
      await sink.write(`,\n${JSON.stringify(part.part)}:[`);
      let first = true;
      for await (const row of part.rows()) {
        const item = Object.fromEntries(part.columns.map(c => [c, row[c] ?? null]));
        await sink.write(`${first ? '\n' : ',\n'}${JSON.stringify(item)}`);
        first = false;
        written++;
      }
      await sink.write(']');
    }
    await sink.write('}\n');
  }
  await sink.flush();
  return written;
}

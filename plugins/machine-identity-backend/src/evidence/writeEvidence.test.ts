import { Writable } from 'node:stream';
import { csvField, writeEvidence } from './writeEvidence';
import type { EvidencePartQuery } from './EvidenceQuery';

describe('csvField', () => {
  it('quotes separators and quotes, and neutralises text a spreadsheet would run as a formula', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(undefined)).toBe('');
    expect(csvField(['SOC 2 CC6.1', 'NIST 800-53 IA-5'])).toBe('SOC 2 CC6.1; NIST 800-53 IA-5');
  });
});

describe('writeEvidence', () => {
  it('waits for a slow reader: rows are pulled only as fast as the response drains', async () => {
    let pulled = 0;
    const part: EvidencePartQuery = {
      part: 'audit_trail',
      columns: ['id', 'message'],
      available: true,
      count: async () => 20_000,
      rows: async function* rows() {
        for (let id = 1; id <= 20_000; id++) {
          pulled++;
          yield { id, message: `event ${id} ${'x'.repeat(40)}` };
        }
      },
    };
    let received = 0;
    let maxAhead = 0;
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk, _encoding, done) {
        received += chunk.length;
        maxAhead = Math.max(maxAhead, pulled - received / 60);
        setTimeout(done, 1);
      },
    });
    const written = await writeEvidence({ out, format: 'csv', scope: { from: 'a', to: 'b' }, parts: [part], counts: [20_000], generatedAt: 'now' });
    expect(written).toBe(20_000);
    // never more than a couple of 64 KB flushes (about 1,100 rows each) ahead of the reader
    expect(maxAhead).toBeLessThan(3_000);
  });
});

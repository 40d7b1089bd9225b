import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { defaultHandshakeWorkers, TlsScanner } from './TlsScanner';
import { HANDSHAKE_WORKERS } from './__testUtils__/handshakeWorkers';

describe('TlsScanner limits: allowedRanges and maxEndpoints', () => {
  describe.each(HANDSHAKE_WORKERS)('handshakeWorkers %i', handshakeWorkers => {
    it('refuses a cloud metadata or link-local target by default, before connecting anywhere', async () => {
      for (const target of ['169.254.169.254:80', '[fd00:ec2::254]:80', '[fe80::1]:443']) {
        await expect(runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: [target] })).rejects.toThrow(/cloud metadata or link-local/);
      }
    });

    it('skips the addresses of a range outside allowedRanges without trying them', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: ['127.0.114.0/30:1'],
        allowedRanges: ['127.0.114.0/31'],
        connectTimeout: { milliseconds: 500 },
      });
      expect(out.problems).toEqual(
        expect.arrayContaining([
          { location: '127.0.114.0/30:1', message: '2 address(es) of this range skipped: outside allowedRanges', incomplete: false },
        ]),
      );
      // Only the two allowed addresses were tried (and refused): only they are covered.
      expect([...out.covered].sort()).toEqual(['127.0.114.0:1', '127.0.114.1:1']);
      expect(out.progress.at(-1)).toEqual({ done: 4, total: 4 });
    });

    it('refuses a hostname that resolves outside allowedRanges as a gap, not as evidence', async () => {
      const out = await runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: ['localhost:1'], allowedRanges: ['10.0.0.0/8'] });
      expect(out.covered).toEqual([]);
      expect(out.problems).toEqual([
        { location: 'localhost:1', message: expect.stringMatching(/localhost resolves to .* outside allowedRanges/), incomplete: true },
      ]);
    });

    it('refuses a source that plans more connections than maxEndpoints', async () => {
      await expect(
        runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: ['127.0.0.0/24:443,8443'], serverNames: ['a', 'b', 'c'], maxEndpoints: 1000 }),
      ).rejects.toThrow(/plans 1,536 connections .*maxEndpoints \(1,000\)/);
    });
  });

  it('refuses handshakeWorkers outside 0–16; by default runs two from two cores on, none on one core', async () => {
    for (const handshakeWorkers of [-1, 1.5, 17]) {
      await expect(runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: ['127.0.0.1:1'] })).rejects.toThrow(
        /handshakeWorkers must be an integer from 0 to 16/,
      );
    }
    expect([1, 2, 4, 64].map(cores => defaultHandshakeWorkers(cores))).toEqual([0, 2, 2, 2]);
  });
});

import type { MachineIdentityScanner } from '../types';
import { runScanner } from './runScanner';

const scanner: MachineIdentityScanner = {
  sourceTypes: ['example'],
  async *scan(context) {
    const hosts = context.source.config.getStringArray('hosts');
    context.reportProgress({ done: 0, total: hosts.length });
    for (const host of hosts) {
      if (host.startsWith('down')) {
        context.reportProblem({ location: host, message: 'connect timed out' });
        continue;
      }
      context.reportCovered(host);
      yield {
        type: 'api-token',
        fingerprintSha256: context.fingerprintSecret(`token of ${host}`),
        displayName: `token on ${host}`,
        attributes: { storage: 'file' },
        location: `${host}:/etc/token`,
      };
    }
  },
};

describe('runScanner', () => {
  it('collects discoveries, problems, coverage and progress of one run with the source block as config', async () => {
    const outcome = await runScanner(scanner, { id: 'fleet', type: 'example', hosts: ['web-01', 'down-02'] });
    expect(outcome.discoveries).toEqual([
      expect.objectContaining({ displayName: 'token on web-01', location: 'web-01:/etc/token', fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
    expect(outcome.problems).toEqual([{ location: 'down-02', message: 'connect timed out' }]);
    expect(outcome.covered).toEqual(['web-01']);
    expect(outcome.progress).toEqual([{ done: 0, total: 2 }]);
  });
});

import { runScanner } from '../testing/sshTestUtils';
import { SshHostsScanner } from './SshHostsScanner';

describe('SshHostsScanner limits: allowedRanges and maxEndpoints', () => {
  it('refuses a cloud metadata target by default', async () => {
    await expect(runScanner(SshHostsScanner.create(), { type: 'ssh-hosts', targets: ['169.254.169.254:22'] })).rejects.toThrow(
      /cloud metadata or link-local/,
    );
  });

  it('skips addresses of a range outside allowedRanges and covers only those tried', async () => {
    const out = await runScanner(SshHostsScanner.create(), {
      type: 'ssh-hosts',
      targets: ['127.0.115.0/30:1'],
      allowedRanges: ['127.0.115.0/31'],
    });
    expect(out.problems).toEqual([{ message: '2 address(es) of ranges skipped: outside allowedRanges', incomplete: false }]);
    expect([...out.covered].sort()).toEqual(['127.0.115.0:1', '127.0.115.1:1']);
  });

  it('refuses a source that plans more connections than maxEndpoints', async () => {
    await expect(
      runScanner(SshHostsScanner.create(), { type: 'ssh-hosts', targets: ['127.0.0.0/24:22,2222'], maxEndpoints: 500 }),
    ).rejects.toThrow(/plans 512 connections/);
  });
});

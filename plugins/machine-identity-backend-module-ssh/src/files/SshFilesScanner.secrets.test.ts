import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, runScanner, tempDir } from '../testing/sshTestUtils';
import { SshFilesScanner } from './SshFilesScanner';

const randomToken = (prefix: string, length: number) =>
  `${prefix}${randomBytes(length).toString('base64').replace(/[^A-Za-z0-9]/g, 'q').slice(0, length)}`;

describe('SshFilesScanner never keeps or echoes secrets from key lists', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drops command= and environment= values, bare-token lines and tokens in comments', async () => {
    dir = tempDir();
    const { line } = generateKey(join(dir, 'keys'), 'k', 'ed25519', { comment: 'k' });
    const [type, data] = line.split(' ');
    const envToken = randomToken('ghp_', 36);
    const commandSecret = randomToken('', 48);
    const bareToken = randomToken('glpat-', 24);
    const plainSecret = randomToken('Zz9', 40);
    const commentToken = randomToken('xoxb-', 30);
    const file = join(dir, 'home/alice/.ssh/authorized_keys');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(
      file,
      [
        `environment="TOKEN=${envToken}",command="curl -H 'X-Api-Key: ${commandSecret}' https://127.0.0.1/",from="127.0.0.1" ${type} ${data} deploy`,
        bareToken,
        `${plainSecret} ${type} ${data}`,
        `${type} ${data} ci key ${commentToken}`,
        `${plainSecret},no-pty ${type} ${data}`,
        '',
      ].join('\n'),
    );
    const out = await runScanner(SshFilesScanner.create({ localHostname: 'h' }), { type: 'ssh-files', paths: [file] });
    const everything = JSON.stringify(out);
    for (const secret of [envToken, commandSecret, bareToken, plainSecret, commentToken]) {
      expect(everything).not.toContain(secret);
    }
    const first = out.discoveries.find(d => d.details!.line === 1)!;
    expect(first.details!.options).toEqual([
      { name: 'environment', variable: 'TOKEN', redacted: true },
      { name: 'command', redacted: true },
      { name: 'from', value: '127.0.0.1' },
    ]);
    expect(out.discoveries.find(d => d.details!.line === 4)!.attributes.comment).toBe('ci key [redacted]');
    expect(out.discoveries.find(d => d.details!.line === 5)!.details!.options).toEqual([{ name: '[redacted]' }, { name: 'no-pty' }]);
    // The unparseable line is reported by number and shape only; an unknown option by a placeholder.
    expect(out.problems.filter(p => /:2$|:3$/.test(p.location!)).map(p => p.message)).toEqual([
      'unsupported key type (a word of 30 characters)',
      'unknown option [redacted]: sshd ignores this line',
    ]);
  });
});

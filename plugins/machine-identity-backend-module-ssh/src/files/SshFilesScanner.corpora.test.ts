import { resolve } from 'node:path';
import { runScanner } from '../testing/sshTestUtils';
import { SshFilesScanner } from './SshFilesScanner';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');

describe('SshFilesScanner over every file of the shared corpora', () => {
  it('finishes without a crash, and every problem names the file (and line) it is about', async () => {
    const out = await runScanner(SshFilesScanner.create({ localHostname: 'h' }), { type: 'ssh-files', paths: [`${CORPORA}/**/*`] });
    expect(out.discoveries.length).toBeGreaterThan(100);
    for (const problem of out.problems) expect(problem.location, problem.message).toMatch(new RegExp(`^${CORPORA.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`));
    // An unparseable line is described, never repeated.
    expect(out.problems.some(p => /[A-Za-z0-9+/]{40}/.test(p.message))).toBe(false);
  }, 300_000);
});

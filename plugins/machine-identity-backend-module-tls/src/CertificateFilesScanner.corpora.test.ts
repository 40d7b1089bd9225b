import path from 'node:path';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { CertificateFilesScanner } from './CertificateFilesScanner';

const CORPORA = path.resolve(__dirname, '../../../../shared/corpora');

describe('CertificateFilesScanner over every file of the shared corpora', () => {
  it('finishes without a crash, and every problem names the file or folder it is about', async () => {
    const out = await runScanner(CertificateFilesScanner.create({ hostname: 'h' }), { type: 'certificate-files', paths: [`${CORPORA}/**/*`] });
    expect(out.progress.at(-1)!.total).toBeGreaterThan(2000);
    expect(out.discoveries.length).toBeGreaterThan(2000);
    for (const problem of out.problems) {
      expect(problem.location, problem.message).toMatch(new RegExp(`^(h:)?${CORPORA.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`));
    }
    // No problem repeats a private key or long base64 input back.
    expect(out.problems.some(p => /PRIVATE KEY|[A-Za-z0-9+/]{64}/.test(p.message))).toBe(false);
  }, 300_000);
});

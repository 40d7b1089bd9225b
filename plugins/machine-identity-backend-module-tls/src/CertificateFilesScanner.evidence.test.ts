import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCertificate, type TestCertificate } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { CertificateFilesScanner } from './CertificateFilesScanner';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.resolve(__dirname, '__testUtils__/scanCli.ts');
const isRoot = process.getuid?.() === 0;

describe('CertificateFilesScanner evidence: what it reports as covered', () => {
  let dir: string;
  let cert: TestCertificate;
  const scanner = () => CertificateFilesScanner.create({ hostname: 'h' });

  beforeAll(async () => {
    cert = await makeCertificate({ subject: 'CN=evidence.files.example.test' });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-evidence-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('covers each file read completely and the folder walked completely, with a trailing slash', async () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'a.pem'), cert.certPem);
    fs.writeFileSync(path.join(dir, 'sub/b.pem'), cert.certPem);
    const out = await runScanner(scanner(), { type: 'certificate-files', paths: [`${dir}/**/*.pem`] });
    expect(out.problems).toEqual([]);
    expect([...out.covered].sort()).toEqual([`h:${dir}/`, `h:${dir}/a.pem`, `h:${dir}/sub/b.pem`]);
  });

  it('gives a missing root (an unmounted volume) an incomplete problem and no coverage', async () => {
    const missing = path.join(dir, 'volume/certs');
    const out = await runScanner(scanner(), { type: 'certificate-files', paths: [`${missing}/**/*.pem`] });
    expect(out.discoveries).toEqual([]);
    expect(out.covered).toEqual([]);
    expect(out.problems).toEqual([{ location: missing, message: 'cannot read: ENOENT' }]);
  });

  it('gives an empty root (a mount point with nothing mounted) an incomplete problem and no coverage', async () => {
    const out = await runScanner(scanner(), { type: 'certificate-files', paths: [`${dir}/**/*.pem`] });
    expect(out.covered).toEqual([]);
    expect(out.problems).toEqual([{ location: dir, message: 'folder is empty (is a volume not mounted?)' }]);
    expect(out.problems[0].incomplete).not.toBe(false);
  });

  it('covers a literal path that is gone from a readable folder, and not one whose folder is gone', async () => {
    const out = await runScanner(scanner(), {
      type: 'certificate-files',
      paths: [path.join(dir, 'gone.pem'), path.join(dir, 'nofolder/gone.pem')],
    });
    expect(out.covered).toEqual([`h:${dir}/gone.pem`]);
    expect(out.problems).toEqual([{ location: path.join(dir, 'nofolder/gone.pem'), message: 'cannot read: ENOENT' }]);
  });

  // Root reads everything: the scan runs as `nobody` (runuser) to meet real EACCES.
  it.skipIf(!isRoot)('gives an unreadable folder or file an incomplete problem and keeps coverage off every folder above it', () => {
    for (const d of ['open', 'locked', 'mixed']) fs.mkdirSync(path.join(dir, d));
    for (const f of ['open/a.pem', 'locked/b.pem', 'mixed/c.pem', 'mixed/d.pem']) fs.writeFileSync(path.join(dir, f), cert.certPem);
    execFileSync('chmod', ['-R', 'a+rX', dir]);
    fs.chmodSync(path.join(dir, 'locked'), 0o700);
    fs.chmodSync(path.join(dir, 'mixed/d.pem'), 0o600);
    const out = execFileSync(
      'runuser',
      ['-u', 'nobody', '--', 'env', 'HOME=/tmp', process.execPath, '--import', 'tsx', CLI, JSON.stringify({ paths: [`${dir}/**/*.pem`] })],
      { cwd: REPO, encoding: 'utf8' },
    );
    const { locations, problems, covered } = JSON.parse(out);
    expect(locations.sort()).toEqual([`cli:${dir}/mixed/c.pem`, `cli:${dir}/open/a.pem`]);
    expect(problems).toEqual(
      expect.arrayContaining([
        { location: path.join(dir, 'locked'), message: 'cannot read: EACCES' },
        { location: `cli:${dir}/mixed/d.pem`, message: expect.stringMatching(/EACCES/) },
      ]),
    );
    expect(problems).toHaveLength(2);
    expect(problems.every((p: { incomplete?: boolean }) => p.incomplete !== false)).toBe(true);
    // Only what was read is covered: not `dir/` (locked is below it), not `mixed/` (d.pem unread).
    expect(covered.sort()).toEqual([`cli:${dir}/mixed/c.pem`, `cli:${dir}/open/`, `cli:${dir}/open/a.pem`]);
  });
});

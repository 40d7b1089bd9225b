import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFiles } from './findFiles';
import { readFileBounded } from './readFileBounded';

describe('findFiles', () => {
  let dir: string;
  const touch = (...names: string[]) => {
    for (const name of names) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), name);
    }
  };
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-find-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('matches like a glob and reports the outermost folders it listed completely', async () => {
    touch('a/x.pem', 'a/b/y.pem', 'a/b/z.txt', 'c/w.pem');
    const found = await findFiles([`${dir}/**/*.pem`]);
    expect(found.files.map(f => path.relative(dir, f.path)).sort()).toEqual(['a/b/y.pem', 'a/x.pem', 'c/w.pem']);
    expect(found.files.every(f => f.root === dir)).toBe(true);
    expect(found.completeFolders).toEqual([`${dir}/`]);
    expect(found.problems).toEqual([]);
  });

  it('treats a folder past the ** depth limit as a gap, and one a fixed-depth glob does not need as none', async () => {
    touch('a/b/c/deep.pem', 'top.pem');
    const deep = await findFiles([`${dir}/**/*.pem`], { maxDepth: 2 });
    expect(deep.files.map(f => path.basename(f.path))).toEqual(['top.pem']);
    // `a/b` was never listed and `a` holds it: nothing up to the root is complete.
    expect(deep.completeFolders).toEqual([]);
    const flat = await findFiles([`${dir}/*.pem`]);
    expect(flat.completeFolders).toEqual([`${dir}/`]);
  });

  it('follows links to files and to folders inside the root once, and reports loops and links outside', async () => {
    touch('real/a.pem', 'outside/b.pem');
    fs.mkdirSync(path.join(dir, 'root'));
    fs.symlinkSync(path.join(dir, 'real/a.pem'), path.join(dir, 'root/link.pem'));
    fs.symlinkSync(path.join(dir, 'outside'), path.join(dir, 'root/out'));
    fs.symlinkSync('.', path.join(dir, 'root/self'));
    const found = await findFiles([`${dir}/root/**/*.pem`]);
    expect(found.files.map(f => f.path)).toEqual([path.join(dir, 'root/link.pem')]);
    expect(found.problems.map(p => [path.basename(p.location!), p.incomplete])).toEqual([
      ['out', false],
      ['self', false],
    ]);
    // A folder holding a link that was not followed is not complete.
    expect(found.completeFolders).toEqual([]);
    // Without following links, links are not files.
    expect((await findFiles([`${dir}/root/**/*.pem`], { followLinks: false })).files).toEqual([]);
  });

  it('stops at the entry limit with an incomplete problem', async () => {
    touch(...Array.from({ length: 20 }, (_, i) => `many/f${i}.pem`));
    const found = await findFiles([`${dir}/many/*.pem`], { maxEntries: 10 });
    expect(found.files).toEqual([]);
    expect(found.problems).toEqual([{ location: path.join(dir, 'many'), message: 'stopped after 10 folder entries' }]);
    expect(found.completeFolders).toEqual([]);
  });

  it('reports a literal file absent from a readable folder, and an unreadable literal path', async () => {
    const found = await findFiles([path.join(dir, 'gone.pem'), path.join(dir, 'no/such/file.pem')]);
    expect(found.absentFiles).toEqual([path.join(dir, 'gone.pem')]);
    expect(found.unreadable).toEqual([{ path: path.join(dir, 'no/such/file.pem'), error: 'ENOENT' }]);
  });
});

describe('readFileBounded', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-read-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a file up to the cap, refuses a larger one and a FIFO without blocking', async () => {
    fs.writeFileSync(path.join(dir, 'ok'), 'x'.repeat(100));
    expect((await readFileBounded(path.join(dir, 'ok'), 100)).data.length).toBe(100);
    await expect(readFileBounded(path.join(dir, 'ok'), 99)).rejects.toThrow(/larger than the 99 bytes allowed/);
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    await expect(readFileBounded(path.join(dir, 'fifo'), 100)).rejects.toThrow(/not a regular file/);
  });

  it('lets the caller refuse a file on its first bytes before the rest is read', async () => {
    fs.writeFileSync(path.join(dir, 'key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret');
    const heads: string[] = [];
    await expect(
      readFileBounded(path.join(dir, 'key'), 1000, {
        headBytes: 10,
        onOpen: (_stat, head) => {
          heads.push(head.toString());
          throw new Error('refused');
        },
      }),
    ).rejects.toThrow('refused');
    expect(heads).toEqual(['-----BEGIN']);
  });
});

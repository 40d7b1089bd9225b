import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { KNOWN_AUTHORIZED_KEYS_OPTIONS, parseAuthorizedKeysOptions } from './parseAuthorizedKeysOptions';
import { parseSshKeyBlob } from './parseSshKeyBlob';
import { parseSshKeyFileText } from './parseSshKeyFile';
import { parseSshKeyLine } from './parseSshKeyLine';
import { redactAuthorizedKeysOptions } from './redactAuthorizedKeysOptions';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');
const RUNS = 300;
const [edType, edData] = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/ed25519_1.pub'), 'utf8').trim().split(' ');
const [rsaType, rsaData] = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/rsa_1.pub'), 'utf8').trim().split(' ');
const formats = fc.constantFrom('authorized_keys' as const, 'known_hosts' as const);

/** A random secret-like word: a prefix and 20–40 base64url characters. */
const secret = fc
  .tuple(fc.constantFrom('', 'ghp_', 'glpat-', 'sk_live_', 'AKIA'), fc.stringMatching(/^[A-Za-z0-9_-]{20,40}$/))
  .map(([prefix, body]) => `${prefix}${body}`);

function timed<T>(fn: () => T, ms = 1_000): T {
  const started = Date.now();
  const result = fn();
  expect(Date.now() - started).toBeLessThan(ms);
  return result;
}

describe('reliability of the SSH key line parsers (property-based)', () => {
  it('never throws on any line, and returns one of its four kinds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), formats, (line, format) => {
        expect(['blank', 'key', 'error', 'private-key']).toContain(timed(() => parseSshKeyLine(line, format)).kind);
      }),
      { numRuns: RUNS },
    );
  });

  it('never echoes a secret-like word of an unparseable line into its error', () => {
    const line = fc.tuple(secret, fc.constantFrom('', ` ${edType}`, ` ${edType} ${edData}`, ',no-pty', '="x"', ` ${edData}`)).map(([s, rest]) => [s, `${s}${rest}`]);
    fc.assert(
      fc.property(line, formats, ([word, text], format) => {
        const result = parseSshKeyLine(text, format);
        if (result.kind === 'error') expect(result.message).not.toContain(word);
        if (result.kind === 'key') expect(JSON.stringify(redactAuthorizedKeysOptions(result.entry.options ?? []))).not.toContain(word);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads back every option list it could be given, and keeps no command= or environment= value', () => {
    const names = [...KNOWN_AUTHORIZED_KEYS_OPTIONS];
    const option = fc.tuple(fc.constantFrom(...names), fc.option(fc.string({ maxLength: 30 }).filter(v => !v.includes('"') && !v.includes('\\')), { nil: undefined }));
    fc.assert(
      fc.property(fc.array(option, { minLength: 1, maxLength: 6 }), options => {
        const field = options.map(([n, v]) => (v === undefined ? n : `${n}="${v}"`)).join(',');
        const parsed = parseAuthorizedKeysOptions(field);
        expect(parsed).toEqual(options.map(([name, value]) => (value === undefined ? { name } : { name, value })));
        for (const kept of redactAuthorizedKeysOptions(parsed)) {
          if (kept.name === 'command' || kept.name === 'environment') expect(kept.value).toBeUndefined();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('turns arbitrary and mutated key blobs into a key or an Error with a message, never another exception', () => {
    const seeds = [Buffer.from(edData, 'base64'), Buffer.from(rsaData, 'base64')];
    const blob = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map(b => Buffer.from(b)),
      fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat()).map(([seed, at, value, cut]) => {
        const copy = Buffer.from(seed);
        copy[at % copy.length] = value;
        return copy.subarray(0, cut % (copy.length + 1));
      }),
    );
    fc.assert(
      fc.property(blob, fc.constantFrom(undefined, edType, rsaType), (bytes, type) => {
        try {
          timed(() => parseSshKeyBlob(bytes, type));
        } catch (e) {
          expect((e as Error).constructor).toBe(Error);
          expect((e as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('corpora: every file of every corpus, read as authorized_keys and as known_hosts, without a crash or a hang', () => {
    const files = execFileSync('find', [CORPORA, '-type', 'f', '-size', '-2M'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(2000);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const format of ['authorized_keys', 'known_hosts'] as const) {
        const parsed = timed(() => parseSshKeyFileText(text, format), 2_000);
        for (const error of parsed.errors) expect(error.line).toBeGreaterThan(0);
      }
    }
  }, 300_000);
});

import { makeValidator } from '@backstage/catalog-model';
import {
  MachineIdentityEntityNamer,
  machineIdentityEntityName,
} from './machineIdentityEntityName';
import { IDENTITY_TYPES } from '../types';

const fp = (head: string) => head.padEnd(64, '0');

describe('machineIdentityEntityName', () => {
  it('is the type prefix plus 16 fingerprint hex digits, stable and catalog-valid for every type', () => {
    const validator = makeValidator();
    const fingerprint = 'ab'.repeat(32);
    const names = IDENTITY_TYPES.map(type => machineIdentityEntityName(type, fingerprint));
    expect(names).toEqual([
      'tls-abababababababab',
      'ssh-abababababababab',
      'token-abababababababab',
      'sa-abababababababab',
      'wid-abababababababab',
      'secret-abababababababab',
    ]);
    for (const name of names) {
      expect(validator.isValidEntityName(name)).toBe(true);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/); // DNS label
    }
    expect(machineIdentityEntityName('ssh-key', fingerprint)).toBe(names[1]);
  });

  it('never exceeds 63 characters, even when asked for the whole fingerprint', () => {
    const name = machineIdentityEntityName('api-token', 'f'.repeat(64), { length: 64 });
    expect(name.length).toBe(63);
    expect(makeValidator().isValidEntityName(name)).toBe(true);
  });

  it('rejects fingerprints that are not 64 lower-case hex digits', () => {
    expect(() => machineIdentityEntityName('tls-certificate', 'AB'.repeat(32))).toThrow(
      /64 lower-case hex digits/,
    );
    expect(() => machineIdentityEntityName('tls-certificate', 'abc')).toThrow(TypeError);
    expect(() => machineIdentityEntityName('nope' as never, fp('a'))).toThrow(/Unknown/);
  });
});

describe('MachineIdentityEntityNamer', () => {
  it('gives a later fingerprint sharing the 16-digit prefix a longer, distinct name', () => {
    const namer = new MachineIdentityEntityNamer();
    const first = fp('0123456789abcdef0');
    const second = fp('0123456789abcdef1');
    expect(namer.nameFor('tls-certificate', first)).toBe('tls-0123456789abcdef');
    expect(namer.nameFor('tls-certificate', second)).toBe('tls-0123456789abcdef1000');
    // stable on repeat, in any order
    expect(namer.nameFor('tls-certificate', second)).toBe('tls-0123456789abcdef1000');
    expect(namer.nameFor('tls-certificate', first)).toBe('tls-0123456789abcdef');
    expect(namer.size).toBe(2);
  });

  it('keeps going until the names differ and does not mix types', () => {
    const namer = new MachineIdentityEntityNamer();
    const a = fp('0123456789abcdef01234567a');
    const b = fp('0123456789abcdef01234567b');
    const c = fp('0123456789abcdef01234567c');
    expect(namer.nameFor('ssh-key', a)).toBe('ssh-0123456789abcdef');
    expect(namer.nameFor('ssh-key', b)).toBe('ssh-0123456789abcdef0123');
    expect(namer.nameFor('ssh-key', c)).toBe('ssh-0123456789abcdef01234567');
    expect(new Set([a, b, c].map(f => namer.nameFor('ssh-key', f))).size).toBe(3);
    expect(namer.nameFor('tls-certificate', a)).toBe('tls-0123456789abcdef');
  });

  it('keeps names remembered from an earlier run, whatever the order identities arrive in', () => {
    const namer = new MachineIdentityEntityNamer();
    const first = fp('0123456789abcdef0');
    const second = fp('0123456789abcdef1');
    expect(namer.remember('tls-0123456789abcdef1000', 'tls-certificate', second)).toBe(true);
    expect(namer.remember('tls-0123456789abcdef', 'tls-certificate', first)).toBe(true);
    expect(namer.remember('tls-0123456789abcdef', 'tls-certificate', second)).toBe(false);
    expect(namer.nameFor('tls-certificate', second)).toBe('tls-0123456789abcdef1000');
    expect(namer.nameFor('tls-certificate', first)).toBe('tls-0123456789abcdef');
    const fresh = new MachineIdentityEntityNamer();
    fresh.remember('tls-0123456789abcdef1000', 'tls-certificate', second);
    expect(fresh.nameFor('tls-certificate', second)).toBe('tls-0123456789abcdef1000');
  });
});

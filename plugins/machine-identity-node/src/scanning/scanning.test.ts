import { ConfigReader } from '@backstage/config';
import { AddressPolicy, ADDRESS_NOT_ALLOWED } from './AddressPolicy';
import { mapConcurrent } from './mapConcurrent';
import { readOptionalDurationMs } from './readOptionalDurationMs';
import { checkEndpointCap } from './readEndpointCap';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('mapConcurrent', () => {
  it('keeps at most `concurrency` calls in flight and yields every result', async () => {
    let active = 0;
    let peak = 0;
    const out: number[] = [];
    for await (const r of mapConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async n => {
      peak = Math.max(peak, ++active);
      await sleep(5 * (8 - n));
      active--;
      return n * 10;
    })) {
      out.push(r);
    }
    expect(peak).toBe(3);
    expect(out.sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('on a failure starts nothing new, waits for the calls in flight, yields their results, then throws', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const out: number[] = [];
    const run = async () => {
      for await (const r of mapConcurrent([1, 2, 3, 4, 5], 2, async n => {
        started.push(n);
        if (n === 1) throw new Error('boom');
        await sleep(30);
        finished.push(n);
        return n;
      })) {
        out.push(r);
      }
    };
    await expect(run()).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
    expect(out).toEqual([2]);
  });

  it('turns a synchronous throw into the same failure', async () => {
    const run = async () => {
      for await (const _ of mapConcurrent([1], 1, () => {
        throw new Error('sync');
      })) {
        // nothing yielded
      }
    };
    await expect(run()).rejects.toThrow('sync');
  });

  it('starts nothing once the signal aborts (a call started before it still finishes)', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    for await (const n of mapConcurrent([1, 2, 3, 4], 1, async n => {
      started.push(n);
      return n;
    }, controller.signal)) {
      if (n === 1) controller.abort();
    }
    expect(started).toEqual([1, 2]);
  });
});

describe('AddressPolicy', () => {
  const policy = (allowedRanges?: string[]) => AddressPolicy.fromConfig(new ConfigReader(allowedRanges ? { allowedRanges } : {}));

  it('refuses cloud metadata and link-local by default, allows loopback', () => {
    const p = policy();
    for (const a of ['169.254.169.254', '169.254.0.1', 'fd00:ec2::254', 'fe80::1', '::ffff:169.254.169.254']) expect(p.allows(a)).toBe(false);
    for (const a of ['127.0.0.1', '127.0.10.3', '::1', '10.1.2.3']) expect(p.allows(a)).toBe(true);
  });

  it('with allowedRanges, allows only addresses inside them', () => {
    const p = policy(['127.0.0.0/8', '::1']);
    expect(p.allows('127.1.2.3')).toBe(true);
    expect(p.allows('::1')).toBe(true);
    expect(p.allows('10.0.0.1')).toBe(false);
    expect(p.why('10.0.0.1')).toBe('10.0.0.1 is outside allowedRanges');
    expect(policy(['169.254.169.254/32']).allows('169.254.169.254')).toBe(true);
    expect(() => policy(['not-a-range'])).toThrow(/allowedRanges: "not-a-range" is not an IP address or CIDR range/);
  });

  it('refuses at name resolution a hostname that resolves outside the allowed ranges', async () => {
    const lookup = (p: AddressPolicy, host: string) =>
      new Promise<{ error?: NodeJS.ErrnoException; address?: string }>(resolve =>
        p.lookup(host, { family: 4 }, (error, address) => resolve({ error: error ?? undefined, address: address as string })),
      );
    expect((await lookup(policy(['127.0.0.0/8']), 'localhost')).address).toBe('127.0.0.1');
    const refused = await lookup(policy(['10.0.0.0/8']), 'localhost');
    expect(refused.error?.code).toBe(ADDRESS_NOT_ALLOWED);
    expect(refused.error?.message).toMatch(/localhost resolves to 127\.0\.0\.1 is outside allowedRanges/);
  });
});

describe('readOptionalDurationMs and checkEndpointCap', () => {
  it('reads HumanDuration objects and ISO strings, with a fallback and a positive check', () => {
    const config = new ConfigReader({ a: { seconds: 2, milliseconds: 5 }, b: 'PT1M', c: { seconds: 0 } });
    expect(readOptionalDurationMs(config, 'a', 1)).toBe(2005);
    expect(readOptionalDurationMs(config, 'b', 1)).toBe(60_000);
    expect(readOptionalDurationMs(config, 'missing', 7)).toBe(7);
    expect(() => readOptionalDurationMs(config, 'c', 1)).toThrow(/c must be a positive duration/);
  });

  it('refuses a plan larger than maxEndpoints', () => {
    expect(() => checkEndpointCap(new ConfigReader({}), 131_072)).not.toThrow();
    expect(() => checkEndpointCap(new ConfigReader({}), 131_073)).toThrow(/plans 131,073 connections.*maxEndpoints \(131,072\)/);
    expect(() => checkEndpointCap(new ConfigReader({ maxEndpoints: 10 }), 11)).toThrow(/maxEndpoints \(10\)/);
  });
});

import ipaddr from 'ipaddr.js';
import { InputError } from '@backstage/errors';

/** One endpoint to fetch host keys from. */
export interface SshTarget {
  host: string;
  port: number;
  /** Expanded from a CIDR range: a closed port there is normal, not a problem. */
  fromRange: boolean;
}

/** Largest number of addresses one CIDR target may expand to. */
export const MAX_ADDRESSES_PER_RANGE = 65_536;

function parsePorts(text: string | undefined, target: string): number[] {
  if (text === undefined || text === '') return [22];
  return text.split(',').map(p => {
    const port = Number(p.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InputError(`Invalid port "${p}" in SSH target "${target}"`);
    }
    return port;
  });
}

/** Splits `host[:ports]`, `[v6][:ports]`, `cidr[:ports]`, `[v6cidr][:ports]`. */
function splitTarget(target: string): { host: string; ports: number[] } {
  const trimmed = target.trim();
  const bracketed = /^\[([^\]]+)\](?::(.+))?$/.exec(trimmed);
  if (bracketed) return { host: bracketed[1], ports: parsePorts(bracketed[2], target) };
  const colons = trimmed.split(':').length - 1;
  if (colons > 1) return { host: trimmed, ports: [22] }; // bare IPv6 address or range
  const [host, ports] = trimmed.split(':');
  return { host, ports: parsePorts(ports, target) };
}

function* addressesOf(range: [ipaddr.IPv4 | ipaddr.IPv6, number]): Generator<string> {
  const [address, prefix] = range;
  const bytes = address.toByteArray();
  const bits = bytes.length * 8;
  let base = 0n;
  for (const b of bytes) base = (base << 8n) | BigInt(b);
  const size = 1n << BigInt(bits - prefix);
  base &= ~(size - 1n);
  for (let i = 0n; i < size; i++) {
    let value = base + i;
    const out = new Array<number>(bytes.length);
    for (let j = bytes.length - 1; j >= 0; j--) {
      out[j] = Number(value & 0xffn);
      value >>= 8n;
    }
    yield ipaddr.fromByteArray(out).toString();
  }
}

/**
 * Expands `ssh-hosts` targets: `host:port`, `host` (port 22), `[v6]:port`,
 * and CIDR ranges with port lists such as `127.0.20.0/29:22,2222` or
 * `[::1/128]:22`. Lazy, so large ranges are not held in memory. Throws an
 * InputError on a malformed target or a range above
 * {@link MAX_ADDRESSES_PER_RANGE} addresses.
 */
export function parseSshTargets(targets: string[]): Iterable<SshTarget> & { count: number } {
  const parsed = targets.map(target => {
    const { host, ports } = splitTarget(target);
    if (!host) throw new InputError(`Invalid SSH target "${target}"`);
    if (host.includes('/')) {
      let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
      try {
        range = ipaddr.parseCIDR(host);
      } catch {
        throw new InputError(`Invalid CIDR range in SSH target "${target}"`);
      }
      const bits = range[0].kind() === 'ipv4' ? 32 : 128;
      if (bits - range[1] > Math.log2(MAX_ADDRESSES_PER_RANGE)) {
        throw new InputError(
          `SSH target "${target}" spans more than ${MAX_ADDRESSES_PER_RANGE} addresses`,
        );
      }
      return { range, ports };
    }
    return { host, ports };
  });
  const count = parsed.reduce((sum, t) => {
    const range = 'range' in t ? t.range : undefined;
    const addresses = range ? 2 ** ((range[0].kind() === 'ipv4' ? 32 : 128) - range[1]) : 1;
    return sum + addresses * t.ports.length;
  }, 0);
  return {
    count,
    *[Symbol.iterator]() {
      for (const t of parsed) {
        if ('range' in t && t.range) {
          for (const address of addressesOf(t.range)) {
            for (const port of t.ports) yield { host: address, port, fromRange: true };
          }
        } else {
          for (const port of t.ports) yield { host: (t as { host: string }).host, port, fromRange: false };
        }
      }
    },
  };
}

/** `host:port`, with IPv6 addresses in brackets. */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

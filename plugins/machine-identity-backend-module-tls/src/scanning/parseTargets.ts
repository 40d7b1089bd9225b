import ipaddr from 'ipaddr.js';
import { InputError } from '@backstage/errors';

/** One address (or hostname) and port to connect to. */
export interface Endpoint {
  host: string;
  port: number;
  /** Whether `host` is an IP address (no SNI is derived from it). */
  isIp: boolean;
  /** `host:port`, IPv6 in brackets. */
  location: string;
  /** The configured target this endpoint came from. */
  target: string;
  /** Endpoint came from a CIDR sweep: a closed port there means nothing listens, not a gap. */
  sweep: boolean;
}

/** A parsed target: how many endpoints it expands to, and the endpoints themselves (lazily). */
export interface ParsedTarget {
  target: string;
  count: number;
  sweep: boolean;
  endpoints(): Iterable<Endpoint>;
}

/** Largest CIDR expansion accepted per target (a /16 of IPv4, a /112 of IPv6). */
export const MAX_ADDRESSES_PER_TARGET = 65_536;
const DEFAULT_PORT = 443;

/** Formats `host:port`, IPv6 addresses in brackets. */
export function formatLocation(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function parsePorts(text: string | undefined, target: string): number[] {
  if (text === undefined || text === '') return [DEFAULT_PORT];
  const ports = text.split(',').map(p => p.trim());
  return ports.map(p => {
    const port = Number(p);
    if (!/^\d+$/.test(p) || port < 1 || port > 65535) {
      throw new InputError(`Invalid port "${p}" in TLS target "${target}"`);
    }
    return port;
  });
}

function endpoint(host: string, port: number, target: string, sweep: boolean, isIp = ipaddr.isValid(host)): Endpoint {
  return { host, port, isIp, location: formatLocation(host, port), target, sweep };
}

function cidrTarget(target: string, cidr: string, portText: string | undefined): ParsedTarget {
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    range = ipaddr.parseCIDR(cidr);
  } catch {
    throw new InputError(`Invalid CIDR range "${cidr}" in TLS target "${target}"`);
  }
  const [address, prefix] = range;
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  const hostBits = bits - prefix;
  const size = 2 ** hostBits;
  if (size > MAX_ADDRESSES_PER_TARGET) {
    throw new InputError(
      `TLS target "${target}" expands to ${size.toLocaleString('en-US')} addresses; ` +
        `the limit is ${MAX_ADDRESSES_PER_TARGET.toLocaleString('en-US')} (an IPv4 /16) per target. Split it into smaller ranges.`,
    );
  }
  const ports = parsePorts(portText, target);
  const base = address.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const network = (base >> BigInt(hostBits)) << BigInt(hostBits);
  return {
    target,
    count: size * ports.length,
    sweep: size > 1,
    *endpoints() {
      for (let i = 0n; i < BigInt(size); i++) {
        const value = network + i;
        const bytes: number[] = [];
        for (let b = bits - 8; b >= 0; b -= 8) bytes.push(Number((value >> BigInt(b)) & 0xffn));
        const host = ipaddr.fromByteArray(bytes).toString();
        // An address of a range is an IP address: no per-endpoint check needed.
        for (const port of ports) yield endpoint(host, port, target, size > 1, true);
      }
    },
  };
}

/**
 * Parses one configured TLS target: `host:port`, `host` (port 443),
 * `host:8443,9443`, `[::1]:8443`, `127.0.10.0/28:8443,9443` or
 * `[fd00::/120]:443`. CIDR ranges larger than a /16 are refused.
 */
export function parseTarget(raw: string): ParsedTarget {
  const target = raw.trim();
  if (!target) throw new InputError('Empty TLS target');
  let host: string;
  let portText: string | undefined;
  const bracketed = target.match(/^\[([^\]]+)\](?::([\d,\s]+))?$/);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if ((target.match(/:/g) ?? []).length > 1) {
    // A bare IPv6 address or range without a port.
    host = target;
  } else {
    const idx = target.lastIndexOf(':');
    host = idx >= 0 ? target.slice(0, idx) : target;
    portText = idx >= 0 ? target.slice(idx + 1) : undefined;
  }
  if (host.includes('/')) return cidrTarget(target, host, portText);
  if (!ipaddr.isValid(host) && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(host)) {
    throw new InputError(`Invalid host "${host}" in TLS target "${target}"`);
  }
  const normalised = ipaddr.isValid(host) ? ipaddr.parse(host).toString() : host.toLowerCase();
  const ports = parsePorts(portText, target);
  return {
    target,
    count: ports.length,
    sweep: false,
    *endpoints() {
      for (const port of ports) yield endpoint(normalised, port, target, false);
    },
  };
}

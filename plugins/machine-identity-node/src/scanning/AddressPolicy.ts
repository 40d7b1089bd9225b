import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Refused unless `allowedRanges` says otherwise: cloud metadata endpoints and link-local addresses. */
export const DEFAULT_REFUSED_RANGES = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128'];

/** The error code a connection refused by an {@link AddressPolicy} fails with. */
export const ADDRESS_NOT_ALLOWED = 'ERR_KEYRING_ADDRESS_NOT_ALLOWED';

function parseRange(text: string, key: string): Range {
  try {
    return text.includes('/') ? ipaddr.parseCIDR(text) : ((a => [a, a.kind() === 'ipv4' ? 32 : 128])(ipaddr.parse(text)) as Range);
  } catch {
    throw new InputError(`${key}: "${text}" is not an IP address or CIDR range`);
  }
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, [network, bits]: Range): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}

/**
 * Which addresses a source may connect to. With `allowedRanges` configured,
 * only addresses inside one of them; without, every address except the cloud
 * metadata endpoints and link-local ranges ({@link DEFAULT_REFUSED_RANGES}).
 * Loopback is allowed by default. IPv4-mapped IPv6 addresses are judged as
 * IPv4. Hostnames are judged by what they resolve to, at connect time, through
 * {@link AddressPolicy.lookup}.
 */
export class AddressPolicy {
  private constructor(
    private readonly allowed: Range[] | undefined,
    private readonly refused: Range[],
  ) {}

  /** Reads `allowedRanges` of a source block. */
  static fromConfig(config: Config): AddressPolicy {
    const configured = config.getOptionalStringArray('allowedRanges');
    return new AddressPolicy(
      configured?.map(r => parseRange(r.trim(), 'allowedRanges')),
      DEFAULT_REFUSED_RANGES.map(r => parseRange(r, 'default refused ranges')),
    );
  }

  /** Whether `address` (an IP address) may be connected to. */
  allows(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    if (this.allowed) return this.allowed.some(r => inRange(parsed, r));
    return !this.refused.some(r => inRange(parsed, r));
  }

  /** Why addresses are refused, as a phrase: `outside allowedRanges` or the default rule. */
  reason(): string {
    return this.allowed ? 'outside allowedRanges' : 'cloud metadata or link-local (refused unless listed in allowedRanges)';
  }

  /** Says why `address` is refused, for a problem or an error. */
  why(address: string): string {
    return `${address} is ${this.reason()}`;
  }

  /**
   * A `net.connect` lookup that resolves like the default and fails with
   * {@link ADDRESS_NOT_ALLOWED} when an answer is refused, so a hostname cannot
   * lead a scan to an address the source may not reach.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = list.find(a => !this.allows(a.address));
      if (refused || list.length === 0) {
        const e = Object.assign(new Error(refused ? `${hostname} resolves to ${this.why(refused.address)}` : `${hostname} has no address`), {
          code: ADDRESS_NOT_ALLOWED,
        });
        return callback(e, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}

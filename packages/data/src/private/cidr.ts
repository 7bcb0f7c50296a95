/**
 * IPv4 CIDR arithmetic for props validation. Not part of the package API.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** The prefix length, 0 to 32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`; returns a reason string instead of a block when the text is not a network CIDR.
 *
 * Host bits must be zero: `10.0.1.5/24` names a host, not a subnet, and is refused so that the rule
 * a reviewer reads is the rule EC2 enforces.
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) {
    return 'is not an IPv4 CIDR block (a.b.c.d/n)';
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    return 'is not an IPv4 CIDR block (octets 0-255, prefix 0-32)';
  }
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (address & mask(prefix)) >>> 0;
  if (network !== address) {
    return `has host bits set; the network is ${format({ network, prefix })}`;
  }
  return { network, prefix };
}

/** True when `outer` contains every address of `inner` (equal blocks contain each other). */
export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return outer.prefix <= inner.prefix && (inner.network & mask(outer.prefix)) >>> 0 === outer.network;
}

/** Renders a block as `a.b.c.d/n`. */
export function format(cidr: Ipv4Cidr): string {
  const n = cidr.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${cidr.prefix}`;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * IPv4 CIDR arithmetic: the one implementation the network and data constructs, the config
 * loader and the template tests share.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** The prefix length, 0 to 32. */
  readonly prefix: number;
}

/** Options of {@link parseIpv4Cidr}. */
export interface ParseCidrOptions {
  /**
   * Read a block with host bits set (`10.1.2.3/8`) as the network it lies in, which is what EC2
   * does with a security group rule, instead of refusing it.
   *
   * @default false
   */
  readonly allowHostBits?: boolean;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`; returns the reason (to follow the value in a message) when the text is not
 * an IPv4 network.
 *
 * Host bits must be zero unless `allowHostBits`: `10.0.1.5/24` names a host, not a subnet, and AWS
 * would silently normalise it, which hides a typo.
 */
export function parseIpv4Cidr(text: string, options: ParseCidrOptions = {}): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) {
    return 'is not an IPv4 CIDR block of the form a.b.c.d/n';
  }
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) {
    return 'has an octet above 255';
  }
  const prefix = Number(match[5]);
  if (prefix > 32) {
    return 'has a prefix length above 32';
  }
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (address & mask(prefix)) >>> 0;
  if (network !== address && !options.allowHostBits) {
    return `has host bits set; the network is ${formatCidr({ network, prefix })}`;
  }
  return { network, prefix };
}

/** Renders a block as `a.b.c.d/n`. */
export function formatCidr(cidr: Ipv4Cidr): string {
  const n = cidr.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${cidr.prefix}`;
}

/** True when `outer` contains every address of `inner` (a block contains itself). */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return outer.prefix <= inner.prefix && (inner.network & mask(outer.prefix)) >>> 0 === outer.network;
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The RFC 1918 private ranges; a VPC outside them would shadow public internet addresses. */
export const PRIVATE_RANGES: readonly Ipv4Cidr[] = [
  { network: 0x0a000000, prefix: 8 }, // 10.0.0.0/8
  { network: 0xac100000, prefix: 12 }, // 172.16.0.0/12
  { network: 0xc0a80000, prefix: 16 }, // 192.168.0.0/16
];

/** Whether the block lies entirely within one of the RFC 1918 ranges. */
export function isPrivateRange(cidr: Ipv4Cidr): boolean {
  return PRIVATE_RANGES.some((range) => cidrContains(range, cidr));
}

/**
 * The number of addresses the CDK's sequential allocator consumes for the given subnet groups.
 *
 * `ec2.IpAddresses.cidr` places the subnets of each group, in order, one per zone, each aligned to
 * its own size; this mirrors that, so the result is the exact end offset of the last subnet.
 */
export function addressesNeeded(subnetPrefixes: readonly number[], zoneCount: number): number {
  let next = 0;
  for (const prefix of subnetPrefixes) {
    const size = 2 ** (32 - prefix);
    next = Math.ceil(next / size) * size;
    next += size * zoneCount;
  }
  return next;
}

/** The longest prefix (smallest block) that holds `addresses` addresses. */
export function smallestPrefixFor(addresses: number): number {
  return 32 - Math.ceil(Math.log2(addresses));
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * IPv4 CIDR arithmetic for validating the VPC layout before the CDK allocates it.
 *
 * Kept private: it only exists so that a bad `cidr` fails with a message naming the prop and the
 * size needed, instead of the CDK's generic allocation error deep inside `ec2.Vpc`.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** The prefix length, 0..32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`, or returns a reason why it is not a valid IPv4 network.
 *
 * Host bits must be zero: AWS would silently normalise `10.0.0.1/16`, which hides a typo.
 */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) {
    return 'is not an IPv4 CIDR of the form a.b.c.d/n';
  }
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) {
    return 'has an octet above 255';
  }
  const prefix = Number(match[5]);
  if (prefix > 32) {
    return 'has a prefix length above 32';
  }
  const network = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const hostBits = prefix === 0 ? 0xffffffff : (2 ** (32 - prefix) - 1) >>> 0;
  if ((network & hostBits) !== 0) {
    return 'has host bits set (the address is not the first address of the block)';
  }
  return { network, prefix };
}

/** The RFC 1918 private ranges; a VPC outside them would shadow public internet addresses. */
const PRIVATE_RANGES: Ipv4Cidr[] = [
  { network: 0x0a000000, prefix: 8 }, // 10.0.0.0/8
  { network: 0xac100000, prefix: 12 }, // 172.16.0.0/12
  { network: 0xc0a80000, prefix: 16 }, // 192.168.0.0/16
];

/** Whether `inner` lies entirely within one of the RFC 1918 ranges. */
export function isRfc1918(inner: Ipv4Cidr): boolean {
  return PRIVATE_RANGES.some((outer) => inner.prefix >= outer.prefix && within(inner.network, outer));
}

function within(address: number, outer: Ipv4Cidr): boolean {
  const size = 2 ** (32 - outer.prefix);
  return address >= outer.network && address < outer.network + size;
}

/**
 * The number of addresses the CDK's sequential allocator consumes for the given subnet groups.
 *
 * `ec2.IpAddresses.cidr` places the subnets of each group, in order, one per zone, each aligned to
 * its own size; this mirrors that so the result is the exact end offset of the last subnet.
 */
export function addressesNeeded(subnetPrefixes: number[], zoneCount: number): number {
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

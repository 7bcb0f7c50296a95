/** IPv4 CIDR arithmetic for config validation (no dependency: four lines of bit math). */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`; undefined when malformed or when host bits are set (`10.0.0.1/16`).
 *
 * With `allowHostBits` a block with host bits set is read as the network it lies in (what EC2 does
 * with a security group rule), so a check over templates cannot be dodged by `10.1.2.3/8`.
 */
export function parseCidr(text: string, options: { allowHostBits?: boolean } = {}): Ipv4Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) {
    return undefined;
  }
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    return undefined;
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0 && !options.allowHostBits) {
    return undefined;
  }
  return { network: address - (address % size), prefix };
}

/** Whether `outer` contains every address of `inner` (a block contains itself). */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  if (outer.prefix > inner.prefix) {
    return false;
  }
  const size = 2 ** (32 - outer.prefix);
  return Math.floor(outer.network / size) === Math.floor(inner.network / size);
}

/** True when the two ranges share at least one address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const aEnd = a.network + 2 ** (32 - a.prefix);
  const bEnd = b.network + 2 ** (32 - b.prefix);
  return a.network < bEnd && b.network < aEnd;
}

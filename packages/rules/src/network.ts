/**
 * The rules of the platform VPC (the network package's `PlatformVpc`), shared with the app's config
 * loader: the VPC range, its size against the zones, the zones and the NAT gateways.
 */
import { addressesNeeded, isPrivateRange, parseIpv4Cidr, smallestPrefixFor } from './cidr';
import { valueRule } from './value-rules';

/**
 * The subnet prefix of each tier, per zone: a /24 of NAT gateways, a /22 for the application
 * (room for about 1000 ENIs), a /24 for data. The VPC's size rule is computed from them, so they
 * live here, next to it, and `PlatformVpc` lays its subnets out with the same numbers.
 */
export const PLATFORM_VPC_SUBNET_MASKS = { public: 24, application: 22, isolated: 24 } as const;

/** The largest VPC AWS allows: a /16 ("The allowed block size is between a /16 netmask ... and /28", VPC User Guide, "VPC CIDR blocks"). */
export const LARGEST_VPC_PREFIX = 16;

/** The VPC needs at least this many zones: the database is Multi-AZ. */
export const MIN_AVAILABILITY_ZONES = 2;

/** True when `zone` is an availability zone name of `region`: the region followed by one letter (no Local Zones). */
export function isZoneOfRegion(zone: string, region: string): boolean {
  return zone.length === region.length + 1 && zone.startsWith(region) && /^[a-z]$/.test(zone.slice(-1));
}

export const NETWORK_VPC_CIDR = valueRule<string>(
  'network.vpcCidr',
  'the VPC range: an IPv4 network with no host bits set, inside RFC 1918, at most a /16',
  (cidr) => {
    const parsed = parseIpv4Cidr(cidr);
    if (typeof parsed === 'string') {
      return `${parsed}; expected an IPv4 network such as '10.0.0.0/16'`;
    }
    if (!isPrivateRange(parsed)) {
      // A public range would shadow the internet addresses it covers for everything in the VPC.
      return 'is not inside the private ranges 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16';
    }
    if (parsed.prefix < LARGEST_VPC_PREFIX) {
      return `is larger than /${LARGEST_VPC_PREFIX}, the largest CIDR block AWS allows for a VPC`;
    }
    return undefined;
  },
);

/**
 * The VPC range holds one subnet of each tier per zone, laid out the way the CDK allocates them
 * (`addressesNeeded`): a /20 holds two zones, a /19 up to four.
 */
export const NETWORK_VPC_CIDR_SIZE = valueRule<{ readonly cidr: string; readonly zoneCount: number }>(
  'network.vpcCidrSize',
  'the VPC range holds a Public /24, an Application /22 and an Isolated /24 in every zone',
  ({ cidr, zoneCount }) => {
    const parsed = parseIpv4Cidr(cidr);
    if (typeof parsed === 'string') {
      return undefined; // network.vpcCidr reports it
    }
    const { public: pub, application, isolated } = PLATFORM_VPC_SUBNET_MASKS;
    const needed = addressesNeeded([pub, application, isolated], zoneCount);
    const available = 2 ** (32 - parsed.prefix);
    return needed > available
      ? `has ${available} addresses; ${zoneCount} zone(s) of Public /${pub}, Application /${application} and ` +
          `Isolated /${isolated} subnets need ${needed}, a /${smallestPrefixFor(needed)} or larger`
      : undefined;
  },
);

/** `region` is left out when the stack's region is not known at synth time (then zones are not matched to it). */
export const NETWORK_AVAILABILITY_ZONES = valueRule<{ readonly zones: readonly string[]; readonly region?: string }>(
  'network.availabilityZones',
  `the VPC's zones: at least ${MIN_AVAILABILITY_ZONES}, each once, each a zone of the region`,
  ({ zones, region }) => {
    if (zones.length < MIN_AVAILABILITY_ZONES) {
      return `has ${zones.length} zone(s); at least ${MIN_AVAILABILITY_ZONES} are required`;
    }
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const zone of zones) {
      if (seen.has(zone)) {
        problems.push(`lists '${zone}' more than once; each zone must be unique`);
      }
      seen.add(zone);
      if (region !== undefined && !isZoneOfRegion(zone, region)) {
        problems.push(
          `contains '${zone}', which is not a zone of the stack's region '${region}'; zones of that region ` +
            `are named ${region}a, ${region}b, ...`,
        );
      }
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  },
);

export const NETWORK_NAT_GATEWAYS = valueRule<{ readonly count: number; readonly zoneCount: number }>(
  'network.natGateways',
  'NAT gateways: a whole number from 1 to the number of zones',
  ({ count, zoneCount }) =>
    Number.isInteger(count) && count >= 1 && count <= zoneCount
      ? undefined
      : `is not allowed; use a whole number from 1 to ${zoneCount} (at most one per availability zone, at ` +
        'least one because the Application subnets egress through NAT)',
);

import {
  NETWORK_AVAILABILITY_ZONES,
  NETWORK_NAT_GATEWAYS,
  NETWORK_VPC_CIDR,
  NETWORK_VPC_CIDR_SIZE,
  isZoneOfRegion,
} from '../src/network';

describe('NETWORK_VPC_CIDR', () => {
  test.each(['10.0.0.0/16', '172.16.0.0/20', '192.168.0.0/16', '10.255.240.0/20'])('allows %s', (cidr) => {
    expect(NETWORK_VPC_CIDR.check(cidr)).toBeUndefined();
  });

  test.each([
    ['10.0.0.0', /^is not an IPv4 CIDR block of the form a\.b\.c\.d\/n; expected an IPv4 network/],
    ['10.0.0.1/16', /^has host bits set; the network is 10\.0\.0\.0\/16/],
    ['11.0.0.0/16', /^is not inside the private ranges 10\.0\.0\.0\/8, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16$/],
    ['172.32.0.0/16', /^is not inside the private ranges/],
    ['10.0.0.0/15', /^is larger than \/16, the largest CIDR block AWS allows for a VPC$/],
  ])('refuses %s', (cidr, problem) => {
    expect(NETWORK_VPC_CIDR.check(cidr)).toMatch(problem);
  });
});

describe('NETWORK_VPC_CIDR_SIZE', () => {
  test.each([
    ['10.0.0.0/20', 2],
    ['10.0.0.0/19', 3],
    ['10.0.0.0/19', 4],
    ['10.0.0.0/16', 6],
  ])('allows %s for %d zones', (cidr, zoneCount) => {
    expect(NETWORK_VPC_CIDR_SIZE.check({ cidr, zoneCount })).toBeUndefined();
  });

  test.each([
    [
      '10.0.0.0/21',
      2,
      'has 2048 addresses; 2 zone(s) of Public /24, Application /22 and Isolated /24 subnets need 3584, a /20 or larger',
    ],
    [
      '10.0.0.0/20',
      3,
      'has 4096 addresses; 3 zone(s) of Public /24, Application /22 and Isolated /24 subnets need 4864, a /19 or larger',
    ],
    [
      '10.0.0.0/19',
      5,
      'has 8192 addresses; 5 zone(s) of Public /24, Application /22 and Isolated /24 subnets need 8448, a /18 or larger',
    ],
  ])('refuses %s for %d zones', (cidr, zoneCount, problem) => {
    expect(NETWORK_VPC_CIDR_SIZE.check({ cidr, zoneCount })).toBe(problem);
  });

  test('leaves a malformed range to NETWORK_VPC_CIDR', () => {
    expect(NETWORK_VPC_CIDR_SIZE.check({ cidr: '10.0.0/16', zoneCount: 3 })).toBeUndefined();
  });
});

describe('NETWORK_AVAILABILITY_ZONES', () => {
  test('allows distinct zones of the region, and any distinct zones when the region is unknown', () => {
    expect(
      NETWORK_AVAILABILITY_ZONES.check({ zones: ['eu-west-1a', 'eu-west-1b'], region: 'eu-west-1' }),
    ).toBeUndefined();
    expect(NETWORK_AVAILABILITY_ZONES.check({ zones: ['us-east-1a', 'us-east-1b'] })).toBeUndefined();
  });

  test('refuses fewer than 2 zones', () => {
    expect(NETWORK_AVAILABILITY_ZONES.check({ zones: ['eu-west-1a'], region: 'eu-west-1' })).toBe(
      'has 1 zone(s); at least 2 are required',
    );
  });

  test('names every zone listed twice or of another region, in one message', () => {
    expect(
      NETWORK_AVAILABILITY_ZONES.check({ zones: ['eu-west-1a', 'us-east-1b', 'eu-west-1a'], region: 'eu-west-1' }),
    ).toBe(
      "contains 'us-east-1b', which is not a zone of the stack's region 'eu-west-1'; zones of that region are " +
        "named eu-west-1a, eu-west-1b, ...; lists 'eu-west-1a' more than once; each zone must be unique",
    );
  });

  test.each(['eu-west-1', 'eu-west-1-lax-1a', 'eu-west-1A', 'eu-west-10'])('%s is not a zone of eu-west-1', (zone) => {
    expect(isZoneOfRegion(zone, 'eu-west-1')).toBe(false);
  });
});

describe('NETWORK_NAT_GATEWAYS', () => {
  test.each([1, 2, 3])('allows %d with 3 zones', (count) => {
    expect(NETWORK_NAT_GATEWAYS.check({ count, zoneCount: 3 })).toBeUndefined();
  });

  test.each([0, 4, 1.5, -1])('refuses %d with 3 zones', (count) => {
    expect(NETWORK_NAT_GATEWAYS.check({ count, zoneCount: 3 })).toMatch(
      /^is not allowed; use a whole number from 1 to 3 \(at most one per availability zone/,
    );
  });
});

import {
  addressesNeeded,
  cidrContains as contains,
  cidrsOverlap,
  formatCidr as format,
  isPrivateRange,
  parseIpv4Cidr,
  smallestPrefixFor,
} from '../src/cidr';

describe('parseIpv4Cidr', () => {
  test('parses a network CIDR', () => {
    expect(parseIpv4Cidr('10.20.16.0/20')).toEqual({ network: 0x0a141000, prefix: 20 });
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ network: 0, prefix: 0 });
    expect(parseIpv4Cidr('255.255.255.255/32')).toEqual({ network: 0xffffffff, prefix: 32 });
  });

  test.each(['10.0.0.0', '10.0.0/8', '10.0.0.0/33', '256.0.0.0/8', 'a.b.c.d/8', ' 10.0.0.0/8'])(
    'refuses %s',
    (text) => {
      expect(typeof parseIpv4Cidr(text)).toBe('string');
    },
  );

  test('refuses host bits and names the network', () => {
    expect(parseIpv4Cidr('10.0.1.5/24')).toBe('has host bits set; the network is 10.0.1.0/24');
  });
});

describe('contains', () => {
  const cidr = (text: string) => {
    const parsed = parseIpv4Cidr(text);
    if (typeof parsed === 'string') {
      throw new Error(parsed);
    }
    return parsed;
  };

  test('a block contains itself and its sub-blocks, not its neighbours or its parent', () => {
    expect(contains(cidr('10.20.0.0/16'), cidr('10.20.0.0/16'))).toBe(true);
    expect(contains(cidr('10.0.0.0/8'), cidr('10.20.0.0/16'))).toBe(true);
    expect(contains(cidr('0.0.0.0/0'), cidr('10.20.0.0/16'))).toBe(true);
    expect(contains(cidr('10.20.0.0/16'), cidr('10.20.16.0/20'))).toBe(true);
    expect(contains(cidr('10.20.16.0/20'), cidr('10.20.0.0/16'))).toBe(false);
    expect(contains(cidr('10.21.0.0/16'), cidr('10.20.0.0/16'))).toBe(false);
  });

  test('format renders what parse read', () => {
    expect(format(cidr('192.168.128.0/17'))).toBe('192.168.128.0/17');
  });
});

describe('cidrsOverlap', () => {
  const cidr = (text: string) => parseIpv4Cidr(text) as Exclude<ReturnType<typeof parseIpv4Cidr>, string>;

  test('nested and equal blocks overlap; neighbours do not', () => {
    expect(cidrsOverlap(cidr('10.10.0.0/16'), cidr('10.10.16.0/20'))).toBe(true);
    expect(cidrsOverlap(cidr('10.10.16.0/20'), cidr('10.10.0.0/16'))).toBe(true);
    expect(cidrsOverlap(cidr('10.10.0.0/16'), cidr('10.10.0.0/16'))).toBe(true);
    expect(cidrsOverlap(cidr('10.10.0.0/16'), cidr('10.11.0.0/16'))).toBe(false);
  });
});

describe('parseIpv4Cidr with allowHostBits', () => {
  test('reads a block with host bits as the network it lies in', () => {
    expect(parseIpv4Cidr('10.1.2.3/8', { allowHostBits: true })).toEqual({ network: 0x0a000000, prefix: 8 });
  });
});

describe('isPrivateRange', () => {
  test.each([
    ['10.0.0.0/16', true],
    ['172.31.0.0/16', true],
    ['192.168.0.0/16', true],
    ['172.32.0.0/16', false],
    ['100.64.0.0/16', false],
    ['10.0.0.0/7', false],
  ])('%s: %s', (text, expected) => {
    expect(isPrivateRange(parseIpv4Cidr(text) as Exclude<ReturnType<typeof parseIpv4Cidr>, string>)).toBe(expected);
  });
});

describe('addressesNeeded and smallestPrefixFor', () => {
  test('three zones of /24, /22, /24 need 4864 addresses, a /19', () => {
    // Three /24s end at 768; the /22s start at the next multiple of 1024 and end at 4096; three
    // /24s more end at 4864.
    expect(addressesNeeded([24, 22, 24], 3)).toBe(4864);
    expect(smallestPrefixFor(4864)).toBe(19);
  });

  test('four zones fit a /19 and five do not', () => {
    expect(addressesNeeded([24, 22, 24], 4)).toBeLessThanOrEqual(2 ** 13);
    expect(addressesNeeded([24, 22, 24], 5)).toBeGreaterThan(2 ** 13);
  });
});

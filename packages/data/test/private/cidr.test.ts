import { contains, format, parseIpv4Cidr } from '../../src/private/cidr';

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

import { isIP } from 'node:net';

/**
 * The key a source address is rate-limited under. One IPv6 host usually owns a whole /64, so
 * limiting single IPv6 addresses would let it rotate through 2^64 of them; the /64 is the key.
 * IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; it only ever sits in the low 64 bits.
  const rightGroups = right.flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const missing = tail === undefined ? 0 : 8 - left.length - rightGroups.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...rightGroups].map((g) => g.replace(/^0+(?=.)/, ''));
}

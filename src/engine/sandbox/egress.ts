import { isIP } from 'node:net';

/**
 * Which addresses the agent's web_fetch may connect to: public unicast only. Refused, with the
 * reason named: loopback, private (RFC 1918, unique-local fc00::/7), link-local (169.254/16 —
 * the cloud metadata service at 169.254.169.254 — and fe80::/10), shared/CGNAT (100.64/10),
 * "this network" (0/8), benchmarking, documentation, multicast, reserved and broadcast ranges,
 * the metadata addresses that sit outside link-local, and every IPv6 form that carries an IPv4
 * address (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), judged by that address.
 * Teredo (2001::/32) and the local-use NAT64 prefix are refused outright: their embedded
 * address cannot be trusted to say where the packet ends up.
 */

type Range = readonly [base: readonly number[], bits: number, reason: string];

/** Most specific first: the reason named is the first match. */
const V4: readonly Range[] = [
  [[100, 100, 100, 200], 32, 'a cloud metadata address'],
  [[168, 63, 129, 16], 32, 'a cloud metadata address'],
  [[192, 0, 0, 192], 32, 'a cloud metadata address'],
  [[0, 0, 0, 0], 8, 'a "this network" address'],
  [[10, 0, 0, 0], 8, 'a private address'],
  [[100, 64, 0, 0], 10, 'a shared (CGNAT) address'],
  [[127, 0, 0, 0], 8, 'a loopback address'],
  [[169, 254, 0, 0], 16, 'a link-local address (cloud metadata lives here)'],
  [[172, 16, 0, 0], 12, 'a private address'],
  [[192, 0, 0, 0], 24, 'an IETF protocol address'],
  [[192, 0, 2, 0], 24, 'a documentation address'],
  [[192, 88, 99, 0], 24, 'a 6to4 relay address'],
  [[192, 168, 0, 0], 16, 'a private address'],
  [[198, 18, 0, 0], 15, 'a benchmarking address'],
  [[198, 51, 100, 0], 24, 'a documentation address'],
  [[203, 0, 113, 0], 24, 'a documentation address'],
  [[224, 0, 0, 0], 4, 'a multicast address'],
  [[240, 0, 0, 0], 4, 'a reserved or broadcast address'],
];

const V6: readonly Range[] = [
  [[0], 128, 'the unspecified address'],
  [[...zeros(15), 1], 128, 'a loopback address'],
  [[0x01, 0], 64, 'a discard-only address'],
  [[0x20, 0x01, 0x00, 0x00], 32, 'a Teredo address'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'a documentation address'],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'a local NAT64 address'],
  [[0xfc], 7, 'a unique-local (private) address'],
  [[0xfe, 0x80], 10, 'a link-local address'],
  [[0xfe, 0xc0], 10, 'a site-local address'],
  [[0xff], 8, 'a multicast address'],
];

/** Why `ip` may not be reached, or undefined when it may. Anything that is not an IP is refused. */
export function refusedAddress(ip: string): string | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) return inRanges(v4Bytes(bare), V4);
  if (family !== 6) return 'not an IP address';
  const b = v6Bytes(bare);
  const embedded = embeddedV4(b);
  if (embedded) return inRanges(embedded, V4);
  const v6 = inRanges(b, V6);
  if (v6) return v6;
  return (b[0]! & 0xe0) === 0x20 ? undefined : 'not a global unicast address';
}

function inRanges(bytes: readonly number[], ranges: readonly Range[]): string | undefined {
  for (const [base, bits, reason] of ranges) if (matches(bytes, base, bits)) return reason;
  return undefined;
}

function matches(bytes: readonly number[], base: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const mask = bits - i * 8 >= 8 ? 0xff : (0xff << (8 - (bits - i * 8))) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address carries: mapped, compatible (not ::/::1), NAT64, 6to4. */
function embeddedV4(b: number[]): number[] | undefined {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12); // ::ffff:a.b.c.d
  if (zero(0, 12) && !zero(12, 15)) return b.slice(12); // ::a.b.c.d (deprecated compatible form)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return b.slice(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002:AABB:CCDD::/48
  return undefined;
}

function v4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function v6Bytes(ip: string): number[] {
  let text = ip.split('%')[0]!; // zone index
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail = v4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? h : [...h, ...zeros(8 - h.length - r.length), ...r];
  const bytes = all.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function zeros(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, () => 0);
}

/**
 * The one outbound destination rule (SPEC §7.3): every URL Varsel calls on a caller's behalf (a
 * subscription's `endPoint`, an order's `conditionEndpoint`) passes here. Pure: no I/O, no clock.
 */
import ipaddr from "ipaddr.js";

/** URLs longer than this are refused (they are stored and shown back). */
export const MAX_DESTINATION_LENGTH = 2048;

/**
 * IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry, as of 2025), plus multicast
 * (224.0.0.0/4, its own registry). Every entry is refused, also those IANA marks globally reachable
 * (AMT, AS112, 192.0.0.9/10): none is a subscriber's web server.
 */
const IPV4_SPECIAL = [
  "0.0.0.0/8", // "this network"
  "10.0.0.0/8", // private
  "100.64.0.0/10", // shared address space (CGNAT)
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local (cloud metadata lives here)
  "172.16.0.0/12", // private
  "192.0.0.0/24", // IETF protocol assignments (192.0.0.8, DS-Lite, NAT64 discovery …)
  "192.0.2.0/24", // TEST-NET-1
  "192.31.196.0/24", // AS112-v4
  "192.52.193.0/24", // AMT
  "192.88.99.0/24", // deprecated 6to4 relay anycast
  "192.168.0.0/16", // private
  "192.175.48.0/24", // direct delegation AS112
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // TEST-NET-2
  "203.0.113.0/24", // TEST-NET-3
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, and 255.255.255.255 limited broadcast
];

/**
 * IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry), plus the deprecated
 * IPv4-compatible (::/96) and site-local (fec0::/10) ranges and multicast (ff00::/8). The IPv4-mapped
 * (::ffff:0:0/96), IPv4-IPv6 translation (64:ff9b::/96, 64:ff9b:1::/48), 6to4 and Teredo ranges embed
 * IPv4 addresses and reach whatever those name: all refused outright.
 */
const IPV6_SPECIAL = [
  "::/128", // unspecified
  "::1/128", // loopback
  "::/96", // deprecated IPv4-compatible (::7f00:1 = 127.0.0.1)
  "::ffff:0:0/96", // IPv4-mapped
  "64:ff9b::/96", // NAT64 well-known prefix
  "64:ff9b:1::/48", // local-use IPv4/IPv6 translation
  "100::/64", // discard-only
  "100:0:0:1::/64", // dummy prefix
  "2001::/23", // IETF protocol assignments (Teredo 2001::/32, benchmarking, ORCHID …)
  "2001:db8::/32", // documentation
  "2002::/16", // 6to4
  "2620:4f:8000::/48", // direct delegation AS112
  "3fff::/20", // documentation
  "5f00::/16", // segment routing SIDs
  "fc00::/7", // unique-local
  "fe80::/10", // link-local
  "fec0::/10", // deprecated site-local
  "ff00::/8", // multicast
];

const V4 = IPV4_SPECIAL.map((c) => ipaddr.IPv4.parseCIDR(c));
const V6 = IPV6_SPECIAL.map((c) => ipaddr.IPv6.parseCIDR(c));

/** Host names that never name a public destination (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal). */
const PRIVATE_NAMES = ["localhost", "local", "internal", "home.arpa", "localdomain"];

/** Is this IP literal (dotted IPv4, or IPv6 without brackets) in a special-purpose range? */
export function isSpecialPurposeIp(literal: string): boolean {
  if (!ipaddr.isValid(literal)) return false;
  const ip = ipaddr.parse(literal);
  if (ip.kind() === "ipv4") return V4.some((range) => (ip as ipaddr.IPv4).match(range));
  return V6.some((range) => (ip as ipaddr.IPv6).match(range));
}

export type DestinationVerdict =
  | { ok: true; url: URL }
  | { ok: false; reason: "invalid" | "too_long" | "scheme" | "userinfo" | "private_host" };

/**
 * May Varsel call this URL on a caller's behalf? `https`, no user info, and a public host: not
 * `localhost` or `*.localhost`, `*.local`, `*.internal` (trailing dots ignored), not a single-label
 * name, and no IP literal in a special-purpose range. The host is judged as the WHATWG URL parser
 * (the one `fetch` uses) reads it, so every IPv4 notation (`2130706433`, `0x7f.1`, `0177.0.0.1`) and
 * every IPv6 spelling is judged by the address it names. With `insecure` (local development only),
 * `http` and private hosts are allowed too; user info never is.
 */
export function checkDestination(value: string, insecure: boolean): DestinationVerdict {
  if (value.length > MAX_DESTINATION_LENGTH) return { ok: false, reason: "too_long" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (url.username || url.password) return { ok: false, reason: "userinfo" };
  if (insecure)
    return url.protocol === "https:" || url.protocol === "http:" ? { ok: true, url } : { ok: false, reason: "scheme" };
  if (url.protocol !== "https:") return { ok: false, reason: "scheme" };
  return isPublicHost(url.hostname) ? { ok: true, url } : { ok: false, reason: "private_host" };
}

/** The boolean form of checkDestination. */
export function isAllowedDestination(value: string, insecure: boolean): boolean {
  return checkDestination(value, insecure).ok;
}

/** A URL's `hostname` (already normalised by the URL parser) names a public destination. */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host.startsWith("[")) return !isSpecialPurposeIp(host.slice(1, -1)) && ipaddr.IPv6.isValid(host.slice(1, -1));
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return !isSpecialPurposeIp(host);
  const name = host.replace(/\.+$/, "");
  if (!name.includes(".")) return false;
  // A name whose last label is all digits would be an IPv4 address to the URL parser; never a public name.
  if (/^\d+$/.test(name.slice(name.lastIndexOf(".") + 1))) return false;
  return !PRIVATE_NAMES.some((p) => name === p || name.endsWith(`.${p}`));
}

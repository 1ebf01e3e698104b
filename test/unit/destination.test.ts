import { describe, expect, it } from "vitest";
import { checkDestination, isAllowedDestination } from "../../src/net/destination";

/** Every URL below is refused in production (ALLOW_INSECURE_ENDPOINTS unset or false), SPEC §7.3. */
const REFUSED: [string, string][] = [
  // The bypasses issue 7 found: each passed the old check.
  ["https://localhost./", "localhost with a trailing dot"],
  ["https://foo.localhost./", "*.localhost with a trailing dot"],
  ["https://[::7f00:1]/", "IPv4-compatible ::127.0.0.1"],
  ["https://[64:ff9b::7f00:1]/", "NAT64 of 127.0.0.1"],
  ["https://[fec0::1]/", "site-local"],
  ["https://198.18.0.1/", "benchmarking"],
  ["https://192.0.0.8/", "IETF protocol assignment"],
  // Names.
  ["https://localhost/x", "localhost"],
  ["https://LOCALHOST/", "upper case"],
  ["https://a.b.localhost/", "*.localhost"],
  ["https://printer.local/", "*.local"],
  ["https://printer.local./", "*.local with a trailing dot"],
  ["https://metadata.google.internal/", "*.internal"],
  ["https://router.home.arpa/", "home.arpa"],
  ["https://intranet/", "a single-label name"],
  ["https://local%68ost/", "percent-encoded localhost"],
  ["https://ｌｏｃａｌｈｏｓｔ/", "full-width localhost (IDNA maps it)"],
  // IPv4 in every notation the URL parser accepts.
  ["https://127.0.0.1/", "loopback"],
  ["https://127.0.0.1./", "loopback with a trailing dot"],
  ["https://2130706433/", "loopback as one decimal number"],
  ["https://0x7f000001/", "loopback in hex"],
  ["https://0x7f.1/", "loopback, two-part hex"],
  ["https://0177.0.0.1/", "loopback in octal"],
  ["https://127.1/", "loopback, two parts"],
  ["https://0/", "0.0.0.0"],
  ["https://10.1.2.3/", "private 10/8"],
  ["https://172.20.0.1/", "private 172.16/12"],
  ["https://192.168.0.1/", "private 192.168/16"],
  ["https://100.64.0.1/", "shared address space"],
  ["https://169.254.169.254/latest/meta-data", "link-local (cloud metadata)"],
  ["https://0xa9.0xfe.0xa9.0xfe/", "metadata in hex parts"],
  ["https://192.0.2.1/", "TEST-NET-1"],
  ["https://198.51.100.7/", "TEST-NET-2"],
  ["https://203.0.113.9/", "TEST-NET-3"],
  ["https://192.88.99.1/", "6to4 relay"],
  ["https://224.0.0.1/", "multicast"],
  ["https://240.0.0.1/", "reserved"],
  ["https://255.255.255.255/", "broadcast"],
  // IPv6.
  ["https://[::1]/", "loopback"],
  ["https://[::]/", "unspecified"],
  ["https://[0:0:0:0:0:0:0:1]/", "loopback, long form"],
  ["https://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"],
  ["https://[::ffff:7f00:1]/", "IPv4-mapped loopback, hex"],
  ["https://[::ffff:8.8.8.8]/", "IPv4-mapped anything"],
  ["https://[::127.0.0.1]/", "IPv4-compatible, dotted"],
  ["https://[64:ff9b::127.0.0.1]/", "NAT64, dotted"],
  ["https://[64:ff9b:1::a00:1]/", "local-use NAT64"],
  ["https://[fd00::1]/", "unique-local"],
  ["https://[fc00::1]/", "unique-local fc"],
  ["https://[fe80::1]/", "link-local"],
  ["https://[febf::1]/", "link-local, top"],
  ["https://[ff02::1]/", "multicast"],
  ["https://[2001:db8::1]/", "documentation"],
  ["https://[2001::1]/", "Teredo"],
  ["https://[2002:7f00:1::]/", "6to4 of 127.0.0.1"],
  ["https://[100::1]/", "discard-only"],
  ["https://[3fff::1]/", "documentation 3fff::/20"],
  // Form.
  ["http://hooks.example.com/in", "http"],
  ["ftp://hooks.example.com/in", "another scheme"],
  ["https://user:pw@hooks.example.com/", "user info"],
  ["https://user@hooks.example.com/", "user name only"],
  [`https://hooks.example.com/${"a".repeat(2100)}`, "over-long"],
  ["not a url", "not a URL"],
  ["", "empty"],
];

const ACCEPTED = [
  "https://hooks.example.com/in",
  "https://hooks.example.com:8443/in?x=1",
  "https://hooks.example.com./in",
  "https://8.8.8.8/",
  "https://1.1.1.1:443/hook",
  "https://[2606:4700:4700::1111]/",
  "https://[2a00:1450:4010::65]/",
  "https://localhost.example.com/",
  "https://example.local.com/",
  "https://xn--bcher-kva.example/",
];

describe("the outbound destination rule (SPEC §7.3)", () => {
  it.each(REFUSED)("refuses %s (%s)", (url) => {
    expect(isAllowedDestination(url, false)).toBe(false);
  });

  it.each(ACCEPTED)("accepts %s", (url) => {
    expect(isAllowedDestination(url, false)).toBe(true);
  });

  it("allows http and private hosts only when insecure endpoints are allowed, never user info", () => {
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook",
      "https://[::1]/",
      "https://192.168.1.1/",
    ]) {
      expect(isAllowedDestination(url, true), url).toBe(true);
    }
    expect(isAllowedDestination("ftp://localhost/hook", true)).toBe(false);
    expect(isAllowedDestination("http://u:p@127.0.0.1/hook", true)).toBe(false);
  });

  it("says why", () => {
    expect(checkDestination("https://127.0.0.1/", false)).toEqual({ ok: false, reason: "private_host" });
    expect(checkDestination("https://u@example.com/", false)).toEqual({ ok: false, reason: "userinfo" });
    expect(checkDestination("http://example.com/", false)).toEqual({ ok: false, reason: "scheme" });
  });
});

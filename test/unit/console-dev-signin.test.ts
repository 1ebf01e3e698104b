// The dev sign-in rule (src/console/dev-signin.ts): only with the dev key, only from this machine.
import { describe, expect, it } from "vitest";
import { devSignInAllowed } from "../../src/console/dev-signin";

const local = (over: Partial<Parameters<typeof devSignInAllowed>[0]> = {}) =>
  devSignInAllowed({
    hasKey: true,
    url: new URL("http://localhost:8787/console/api/dev-token"),
    connectingIp: "127.0.0.1",
    origin: "http://localhost:8787",
    ...over,
  });

describe("devSignInAllowed", () => {
  it("allows npm start's own page: dev key, loopback host, loopback client, same origin", () => {
    expect(local()).toBe(true);
    expect(local({ connectingIp: null, origin: null })).toBe(true);
    expect(local({ url: new URL("http://127.0.0.1:8787/x"), origin: "http://127.0.0.1:8787" })).toBe(true);
    expect(local({ url: new URL("http://[::1]:8787/x"), origin: "http://[::1]:8787", connectingIp: "::1" })).toBe(true);
    expect(local({ connectingIp: "::ffff:127.0.0.1" })).toBe(true);
  });

  it("refuses without the dev key", () => {
    expect(local({ hasKey: false })).toBe(false);
  });

  it("refuses a host that is not loopback, a rebinding name included", () => {
    expect(local({ url: new URL("https://varsel.example/x"), origin: null })).toBe(false);
    expect(local({ url: new URL("http://localhost.attacker.example:8787/x"), origin: null })).toBe(false);
    expect(local({ url: new URL("http://10.0.0.5:8787/x"), origin: null })).toBe(false);
  });

  it("refuses a spoofed localhost Host when Cloudflare's edge names a real client address", () => {
    expect(local({ connectingIp: "203.0.113.9", origin: null })).toBe(false);
    expect(local({ connectingIp: "2001:db8::1", origin: null })).toBe(false);
    expect(local({ connectingIp: "192.168.1.20", origin: null })).toBe(false);
    expect(local({ connectingIp: "not an address", origin: null })).toBe(false);
  });

  it("refuses a call from another origin, another local port included", () => {
    expect(local({ origin: "http://localhost:3000" })).toBe(false);
    expect(local({ origin: "https://attacker.example" })).toBe(false);
    expect(local({ origin: "null" })).toBe(false);
  });
});

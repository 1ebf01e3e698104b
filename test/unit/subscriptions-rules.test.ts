import { describe, expect, it } from "vitest";
import type { CloudEvent } from "../../src/events/cloudevent";
import type { Resource } from "../../src/resources/policy";
import {
  appOfSourceFilter,
  callerOfConsumer,
  kindOf,
  matches,
  maySubscribe,
  newSecret,
  sourceMatches,
  type Filters,
} from "../../src/subscriptions/rules";

const event = (over: Partial<CloudEvent> = {}): CloudEvent => ({
  id: "1",
  type: "app.instance.created",
  source: "https://ttd.apps.altinn.no/ttd/apps-test/instances/50001/3fa85f64-5717-4562-b3fc-2c963f66afa6",
  specversion: "1.0",
  time: "2026-01-01T00:00:00Z",
  resource: "urn:altinn:resource:app_ttd_apps-test",
  subject: "/party/50001",
  alternativesubject: "/person/01017012345",
  ...over,
});

const filters = (over: Partial<Filters> = {}): Filters => ({
  sourceFilter: null,
  resourceFilter: "urn:altinn:resource:app_ttd_apps-test",
  subjectFilter: null,
  alternativeSubjectFilter: null,
  typeFilter: null,
  ...over,
});

describe("app or generic subscription", () => {
  it("an app resource filter or an app source filter makes an app subscription", () => {
    expect(kindOf("urn:altinn:resource:app_ttd_apps-test", undefined)).toEqual({
      kind: "app",
      resourceFilter: "urn:altinn:resource:app_ttd_apps-test",
    });
    expect(kindOf(undefined, "https://ttd.apps.altinn.no/ttd/apps-test")).toEqual({
      kind: "app",
      resourceFilter: "urn:altinn:resource:app_ttd_apps-test",
    });
    expect(kindOf(undefined, "https://ttd.apps.altinn.no/ttd/apps-test/instances/%")).toMatchObject({ kind: "app" });
  });

  it("everything else is generic, and a wildcard in the org or app does not name an app", () => {
    expect(kindOf("urn:altinn:resource:ttd-demo-events", undefined)).toEqual({
      kind: "generic",
      resourceFilter: "urn:altinn:resource:ttd-demo-events",
    });
    expect(kindOf(undefined, "https://ttd.apps.altinn.no/%/apps-test")).toEqual({
      kind: "generic",
      resourceFilter: undefined,
    });
    expect(kindOf(undefined, "https://example.com/")).toEqual({ kind: "generic", resourceFilter: undefined });
    expect(kindOf(undefined, undefined)).toEqual({ kind: "generic", resourceFilter: undefined });
    expect(appOfSourceFilter("http://ttd.apps.altinn.no/ttd/apps-test")).toBeNull();
  });
});

describe("rights", () => {
  const demo: Resource = {
    id: "ttd-demo",
    owner: "ttd",
    title: "t",
    grants: [
      { subject: "/org/digdir", actions: ["subscribe"] },
      { subject: "/user/7", actions: ["read"] },
    ],
  };
  const app: Resource = { id: "app_ttd_apps-test", owner: "ttd", title: "t", grants: [] };

  it("the owner and subscribe grants may subscribe; a read grant is not enough", () => {
    expect(maySubscribe(demo, callerOfConsumer("/org/ttd", null), null)).toBe(true);
    expect(maySubscribe(demo, callerOfConsumer("/org/digdir", null), null)).toBe(true);
    expect(maySubscribe(demo, callerOfConsumer("/user/7", null), null)).toBe(false);
    expect(maySubscribe(null, callerOfConsumer("/org/ttd", null), null)).toBe(false);
  });

  it("a user may subscribe to app events about their own party only", () => {
    const user = callerOfConsumer("/user/1337", "50001337");
    expect(maySubscribe(app, user, "/party/50001337")).toBe(true);
    expect(maySubscribe(app, user, "/party/50001338")).toBe(false);
    expect(maySubscribe(app, user, null)).toBe(false);
    expect(maySubscribe(demo, user, "/party/50001337")).toBe(false);
  });

  it("rebuilds the consumer's identities from the stored principal", () => {
    expect(callerOfConsumer("/organisation/991825827", null)).toMatchObject({
      orgNumber: "991825827",
      principal: "/organisation/991825827",
    });
    expect(callerOfConsumer("/user/1", "2")).toMatchObject({ userId: "1", partyId: "2" });
  });
});

describe("filters", () => {
  it("source filters are prefixes where % matches any run of characters", () => {
    expect(sourceMatches("https://ttd.apps.altinn.no/ttd/apps-test", event().source)).toBe(true);
    expect(sourceMatches("https://%.apps.altinn.no/ttd/%/instances/50001/", event().source)).toBe(true);
    expect(sourceMatches("https://ttd.apps.altinn.no/ttd/other", event().source)).toBe(false);
    expect(sourceMatches("https://ttd.apps.altinn.no/ttd/apps.test", "https://ttd.apps.altinn.no/ttd/appsXtest")).toBe(
      false,
    );
    expect(sourceMatches("https://x.example/a(b)", "https://x.example/a(b)/c")).toBe(true);
  });

  it("every set filter must match", () => {
    expect(matches(filters(), event())).toBe(true);
    expect(matches(filters({ resourceFilter: "urn:altinn:resource:other" }), event())).toBe(false);
    expect(matches(filters({ subjectFilter: "/party/50001" }), event())).toBe(true);
    expect(matches(filters({ subjectFilter: "/party/50002" }), event())).toBe(false);
    expect(matches(filters({ alternativeSubjectFilter: "/person/01017012345" }), event())).toBe(true);
    expect(matches(filters({ alternativeSubjectFilter: "/person/01017099999" }), event())).toBe(false);
    expect(matches(filters({ typeFilter: "app.instance.created" }), event())).toBe(true);
    expect(matches(filters({ typeFilter: "app.instance.deleted" }), event())).toBe(false);
    expect(matches(filters({ subjectFilter: "/party/50001" }), event({ subject: undefined }))).toBe(false);
  });
});

it("secrets are whsec_ plus base64 of 32 random bytes, different every time", () => {
  const a = newSecret();
  expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(atob(a.slice(6))).toHaveLength(32);
  expect(newSecret()).not.toBe(a);
});

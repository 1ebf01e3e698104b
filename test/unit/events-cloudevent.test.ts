import { describe, expect, it } from "vitest";
import { checkAppEvent, checkGenericEvent } from "../../src/events/cloudevent";

const NOW = new Date("2026-11-22T10:00:00Z");
const valid = {
  id: "1",
  type: "t",
  source: "https://example.com/a",
  specversion: "1.0",
  resource: "urn:altinn:resource:demo",
};

function detailOf(r: ReturnType<typeof checkGenericEvent>): string | undefined {
  return !r.ok && r.error.kind === "bad_request" ? r.error.detail : undefined;
}

describe("generic CloudEvent validation (SPEC §4.1)", () => {
  it("accepts a valid event and sets time to now when absent", () => {
    const r = checkGenericEvent(valid, NOW);
    expect(r.ok && r.value.time).toBe("2026-11-22T10:00:00.000Z");
  });

  it("keeps a given time", () => {
    const r = checkGenericEvent({ ...valid, time: "2020-02-20T08:00:06.4014168Z" }, NOW);
    expect(r.ok && r.value.time).toBe("2020-02-20T08:00:06.4014168Z");
  });

  it("names every missing required attribute", () => {
    expect(detailOf(checkGenericEvent({ resource: valid.resource, type: "t" }, NOW))).toBe(
      "CloudEvent is missing required attributes: id, source, specversion",
    );
  });

  it("uses Altinn's texts for a missing or bad resource", () => {
    const { resource: _r, ...noResource } = valid;
    expect(detailOf(checkGenericEvent(noResource, NOW))).toBe("A 'resource' property must be defined.");
    expect(detailOf(checkGenericEvent({ ...valid, resource: "urn:altinn:resource:Upper" }, NOW))).toBe(
      "'Resource' must be a valid urn.",
    );
    expect(detailOf(checkGenericEvent({ ...valid, resource: "demo" }, NOW))).toBe("'Resource' must be a valid urn.");
    expect(detailOf(checkGenericEvent({ ...valid, resource: 5 }, NOW))).toBe("'Resource' must be a valid urn.");
  });

  it("rejects extension names outside [a-z0-9]{1,20}", () => {
    expect(checkGenericEvent({ ...valid, Bad_Name: "x" }, NOW).ok).toBe(false);
    expect(checkGenericEvent({ ...valid, abcdefghijklmnopqrstu: "x" }, NOW).ok).toBe(false);
    expect(checkGenericEvent({ ...valid, abcdefghijklmnopqrst: "x" }, NOW).ok).toBe(true);
  });

  it("rejects object-valued attributes, bad times, relative sources and both data forms", () => {
    expect(checkGenericEvent({ ...valid, subject: { a: 1 } }, NOW).ok).toBe(false);
    expect(checkGenericEvent({ ...valid, time: "2026-11-22T10:00:00" }, NOW).ok).toBe(false);
    expect(checkGenericEvent({ ...valid, source: "/relative" }, NOW).ok).toBe(false);
    expect(checkGenericEvent({ ...valid, specversion: "0.3" }, NOW).ok).toBe(false);
    expect(checkGenericEvent({ ...valid, data: 1, data_base64: "AA==" }, NOW).ok).toBe(false);
  });

  it("accepts any JSON as data", () => {
    expect(checkGenericEvent({ ...valid, data: { nested: [1, { x: null }] } }, NOW).ok).toBe(true);
  });

  it("refuses a non-object body as a validation error", () => {
    const r = checkGenericEvent([valid], NOW);
    expect(!r.ok && r.error.kind).toBe("validation");
  });
});

describe("app event validation (SPEC §4.2)", () => {
  const app = { org: "ttd", app: "apps-test" };
  const source = "https://ttd.apps.altinn.no/ttd/apps-test/instances/50019855/3fa85f64-5717-4562-b3fc-2c963f66afa6";
  const body = { type: "app.instance.created", source, subject: "/party/50019855", specversion: "1.0" };

  it("sets id, time, resource and resourceinstance", () => {
    const r = checkAppEvent({ ...body, id: "ignored", time: "2000-01-01T00:00:00Z" }, app, NOW, "new-id");
    expect(r.ok && r.value).toMatchObject({
      id: "new-id",
      time: NOW.toISOString(),
      resource: "urn:altinn:resource:app_ttd_apps-test",
      resourceinstance: "50019855/3fa85f64-5717-4562-b3fc-2c963f66afa6",
    });
  });

  it("answers the Altinn text when source, subject or type is missing", () => {
    for (const k of ["source", "subject", "type"]) {
      const r = checkAppEvent({ ...body, [k]: undefined }, app, NOW, "x");
      expect(!r.ok && "detail" in r.error && r.error.detail).toBe(
        "Missing parameter values: source, subject and type cannot be null",
      );
    }
  });

  it("refuses another app's source with 401 and the Altinn text", () => {
    const r = checkAppEvent({ ...body, source: source.replace("apps-test", "other") }, app, NOW, "x");
    expect(!r.ok && r.error).toEqual({
      kind: "unauthorized",
      detail: `ttd/apps-test is not authorized to create events for ${source.replace("apps-test", "other")}`,
    });
  });

  it("checks subject and alternative subject shapes", () => {
    expect(checkAppEvent({ ...body, subject: "/person/1" }, app, NOW, "x").ok).toBe(false);
    expect(checkAppEvent({ ...body, alternativesubject: "/person/01017512345" }, app, NOW, "x").ok).toBe(true);
    expect(checkAppEvent({ ...body, alternativesubject: "/organisation/12" }, app, NOW, "x").ok).toBe(false);
  });
});

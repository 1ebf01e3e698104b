// Issue 9: the /future/ bodies are zod schemas at the edge. What ASP.NET's binding does for Altinn
// (property names and enum values in any case, enums as integers) holds at every depth, and every
// message a client can see is one of Altinn's texts, never zod's own.
import { describe, expect, it } from "vitest";
import type { HttpFailure } from "../../src/http/problem";
import { canonicalKeys, propertyPath } from "../../src/http/validate";
import { parseFeedQuery } from "../../src/notifications/future/feed-query";
import { INSTANT_TEXTS, parseInstantEmail, parseInstantSms } from "../../src/notifications/future/instant-schemas";
import { chainRequestSchema, FUTURE_TEXTS, parseChainRequest } from "../../src/notifications/future/schemas";

const NOW = new Date("2026-06-01T10:00:00Z");
const parse = (body: unknown) => parseChainRequest(body, NOW, false);
const person = (extra: Record<string, unknown>) => ({
  idempotencyId: "k",
  recipient: {
    recipientPerson: { nationalIdentityNumber: "01019012345", emailSettings: { subject: "S", body: "B" }, ...extra },
  },
});

describe("property names in any case, at every depth", () => {
  it("reads a body spelled in PascalCase and upper case like the camelCase one", () => {
    const camel = parse({
      idempotencyId: "k",
      reminders: [
        { delayDays: 1, recipient: { recipientSms: { phoneNumber: "+4799999999", smsSettings: { body: "b" } } } },
      ],
      recipient: { recipientEmail: { emailAddress: "a@x.no", emailSettings: { subject: "S", body: "B" } } },
    });
    const shouting = parse({
      IdempotencyId: "k",
      REMINDERS: [
        { DELAYDAYS: 1, Recipient: { RECIPIENTSMS: { PhoneNumber: "+4799999999", SMSSETTINGS: { BODY: "b" } } } },
      ],
      recipient: { RecipientEmail: { EMAILADDRESS: "a@x.no", emailsettings: { Subject: "S", bOdY: "B" } } },
    });
    expect(camel.ok).toBe(true);
    expect(shouting).toEqual(camel);
  });

  it("reports a differently cased property's error under its C# name", () => {
    const r = parse({
      IDEMPOTENCYID: "k",
      RECIPIENT: { RECIPIENTEMAIL: { EMAILADDRESS: "a@x.no", EMAILSETTINGS: { SUBJECT: " ", BODY: "B" } } },
    });
    expect(r).toEqual({ ok: false, errors: { "Recipient.RecipientEmail.Settings.Subject": [FUTURE_TEXTS.subject] } });
  });

  it("takes the exact spelling over another casing, and never lets a key reach the prototype", () => {
    const s = chainRequestSchema(NOW, false);
    expect(canonicalKeys(s, { IDEMPOTENCYID: "upper", idempotencyId: "exact" })).toEqual({ idempotencyId: "exact" });
    expect(canonicalKeys(s, { idempotencyId: "exact", IdempotencyId: "other" })).toEqual({ idempotencyId: "exact" });
    const hostile = canonicalKeys(s, JSON.parse('{"__proto__": {"polluted": true}, "idempotencyId": "k"}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
  });

  it("applies to the instant orders too", () => {
    const r = parseInstantSms({
      IDEMPOTENCYID: "k",
      RecipientSms: { PHONENUMBER: "+4799999999", TimeToLiveInSeconds: 60, SMSSETTINGS: { Body: "123" } },
    });
    expect(r).toMatchObject({ ok: true, value: { idempotencyId: "k", timeToLiveInSeconds: 60, body: "123" } });
  });
});

describe("enums by name in any case or by integer", () => {
  it("takes channel schemas as 0–4 and in any case", () => {
    const schemaOf = (channelSchema: unknown) => {
      const r = parse(person({ channelSchema, smsSettings: { body: "b" } }));
      return r.ok && r.value.main.recipient.kind === "person" ? r.value.main.recipient.channelSchema : r;
    };
    expect([0, 1, 2, 3, 4].map(schemaOf)).toEqual(["Email", "Sms", "EmailPreferred", "SmsPreferred", "EmailAndSms"]);
    expect(schemaOf(" emailandsms ")).toBe("EmailAndSms");
    expect(schemaOf("SMSPREFERRED")).toBe("SmsPreferred");
  });

  it("takes content type 0/1 and SMS policy 1/2 (Anytime/Daytime)", () => {
    const r = parse({
      idempotencyId: "k",
      recipient: {
        recipientOrganization: {
          orgNumber: "930000111",
          channelSchema: 4,
          emailSettings: { subject: "S", body: "B", contentType: 1, sendingTimePolicy: 1 },
          smsSettings: { body: "b", sendingTimePolicy: 1 },
        },
      },
    });
    expect(r.ok && r.value.main.recipient).toMatchObject({
      emailSettings: { contentType: "Html" },
      smsSettings: { sendingTimePolicy: "Anytime" },
    });
  });

  it("refuses an unknown name, an unknown number and a non-enum with Altinn's exact text", () => {
    for (const bad of ["Fax", 5, -1, 1.5, true, {}, ""])
      expect(parse(person({ channelSchema: bad })), String(bad)).toEqual({
        ok: false,
        errors: { "Recipient.RecipientPerson.ChannelSchema": [FUTURE_TEXTS.channel] },
      });
    expect(
      parseInstantEmail({
        idempotencyId: "k",
        recipientEmail: { emailAddress: "a@x.no", emailSettings: { subject: "s", body: "b", contentType: "Rtf" } },
      }),
    ).toEqual({ ok: false, errors: { "RecipientEmail.EmailSettings.ContentType": [FUTURE_TEXTS.contentType] } });
    expect(parse(person({ channelSchema: "Sms", smsSettings: { body: "b", sendingTimePolicy: 3 } }))).toEqual({
      ok: false,
      errors: { "Recipient.RecipientPerson.SmsSettings.SendingTimePolicy": [FUTURE_TEXTS.smsPolicy] },
    });
  });
});

describe("rules across fields", () => {
  it("gives only the reminder rule when both delayDays and requestedSendTime are given, however invalid", () => {
    const r = parse({
      idempotencyId: "k",
      recipient: { recipientEmail: { emailAddress: "a@x.no", emailSettings: { subject: "S", body: "B" } } },
      reminders: [
        { delayDays: 0, requestedSendTime: "yesterday", recipient: { recipientEmail: { emailAddress: "x" } } },
      ],
    });
    expect(r).toEqual({
      ok: false,
      errors: {
        "Reminders[0]": [FUTURE_TEXTS.reminderWhen],
        "Reminders[0].Recipient.RecipientEmail.EmailAddress": [FUTURE_TEXTS.email],
        "Reminders[0].Recipient.RecipientEmail.Settings": [FUTURE_TEXTS.emailSettingsNull],
      },
    });
  });

  it("checks resourceAction against resourceId, and the settings a schema needs even beside other errors", () => {
    expect(parse(person({ channelSchema: "Email", resourceAction: "read", nationalIdentityNumber: "1" }))).toEqual({
      ok: false,
      errors: {
        "Recipient.RecipientPerson.NationalIdentityNumber": [FUTURE_TEXTS.nin],
        "Recipient.RecipientPerson.ResourceAction": [FUTURE_TEXTS.actionWithoutId],
      },
    });
    expect(
      parse(
        person({
          channelSchema: "Sms",
          emailSettings: "x",
          resourceId: "urn:altinn:resource:ttd-x",
          resourceAction: 7,
        }),
      ),
    ).toEqual({
      ok: false,
      errors: {
        "Recipient.RecipientPerson.EmailSettings": [FUTURE_TEXTS.exactlyOne],
        "Recipient.RecipientPerson.SmsSettings": [FUTURE_TEXTS.smsOnly],
        "Recipient.RecipientPerson.ResourceAction": [FUTURE_TEXTS.actionBlank],
      },
    });
  });

  it("judges the send time by the clock passed in", () => {
    const at = { ...person({ channelSchema: "Email" }), requestedSendTime: "2026-06-01T09:00:00Z" };
    expect(parseChainRequest(at, NOW, false)).toEqual({
      ok: false,
      errors: { RequestedSendTime: [FUTURE_TEXTS.notBeforeNow] },
    });
    expect(parseChainRequest(at, new Date("2026-06-01T08:00:00Z"), false).ok).toBe(true);
  });
});

describe("a body full of reminders", () => {
  it("answers one error for more than 50 and looks at the first 50 only, however many there are", () => {
    const many = { ...person({ channelSchema: "Email" }), reminders: Array.from({ length: 85_000 }, () => ({})) };
    const r = parseChainRequest(many, NOW, false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.Reminders).toEqual(["At most 50 reminders are accepted."]);
    const keys = Object.keys(r.errors).filter((k) => k.startsWith("Reminders["));
    expect(keys.every((k) => Number(/^Reminders\[(\d+)\]/.exec(k)![1]) < 50)).toBe(true);
    expect(JSON.stringify(r.errors).length).toBeLessThan(20_000);
  });
});

describe("only Altinn's texts reach the client", () => {
  const TEXTS = new Set<string>([
    ...(Object.values(FUTURE_TEXTS) as unknown[]).filter((t): t is string => typeof t === "string"),
    ...Object.values(INSTANT_TEXTS),
    "The request body must be a JSON object.",
    "'Reminders' must be an array.",
    "At most 50 reminders are accepted.",
  ]);
  const known = (m: string) => TEXTS.has(m) || /^'\w+' must be a string of at most \d+ characters\.$/.test(m);
  const ODD: unknown[] = [undefined, null, 0, -3, 2.5, true, "", " ", "x", [], {}, [1], { a: 1 }];

  it("for any odd value in any field of the order, main or reminder", () => {
    const paths = [
      ["idempotencyId"],
      ["requestedSendTime"],
      ["conditionEndpoint"],
      ["sendersReference"],
      ["dialogportenAssociation"],
      ["dialogportenAssociation", "dialogId"],
      ["recipient"],
      ["recipient", "recipientPerson", "channelSchema"],
      ["recipient", "recipientPerson", "emailSettings"],
      ["recipient", "recipientPerson", "emailSettings", "contentType"],
      ["recipient", "recipientPerson", "smsSettings", "sender"],
      ["recipient", "recipientPerson", "resourceId"],
      ["recipient", "recipientPerson", "resourceAction"],
      ["recipient", "recipientPerson", "ignoreReservation"],
      ["reminders"],
      ["reminders", 0],
      ["reminders", 0, "delayDays"],
      ["reminders", 0, "requestedSendTime"],
      ["reminders", 0, "recipient", "recipientSms", "phoneNumber"],
      ["reminders", 0, "recipient", "recipientSms", "smsSettings"],
    ] as (string | number)[][];
    const seen = new Set<string>();
    for (const path of paths)
      for (const odd of ODD) {
        const body: Record<string, unknown> = {
          ...person({ channelSchema: "EmailAndSms", smsSettings: { body: "b", sender: "S" } }),
          dialogportenAssociation: { dialogId: "d" },
          reminders: [
            { delayDays: 1, recipient: { recipientSms: { phoneNumber: "+4799999999", smsSettings: { body: "b" } } } },
          ],
        };
        let at: Record<string | number, unknown> = body;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
        at[path.at(-1)!] = odd;
        const r = parse(body);
        if (!r.ok)
          for (const [key, messages] of Object.entries(r.errors)) for (const m of messages) seen.add(`${key}: ${m}`);
      }
    expect([...seen].filter((s) => !known(s.slice(s.indexOf(": ") + 2)))).toEqual([]);
    expect(seen.size).toBeGreaterThan(20);
  });

  it("maps paths to C# property paths", () => {
    expect(propertyPath(["reminders", 3, "recipient", "recipientSms", "phoneNumber"])).toBe(
      "Reminders[3].Recipient.RecipientSms.PhoneNumber",
    );
    expect(propertyPath([])).toBe("$");
  });
});

describe("the feed's query", () => {
  const failure = (q: string) => {
    try {
      parseFeedQuery(new URL(`https://x/feed${q}`));
    } catch (e) {
      return (e as HttpFailure).failure;
    }
    return null;
  };
  it("keys a value that does not bind by the parameter, the rule by the property, the first as detail", () => {
    expect(failure("?seq=-1")).toEqual({
      kind: "validation",
      errors: { Seq: ["Sequence number cannot be less than 0."] },
      detail: "Sequence number cannot be less than 0.",
    });
    expect(failure("?SEQ=x&orderby=up")).toEqual({
      kind: "validation",
      errors: { seq: ["The value 'x' is not valid for seq."], orderBy: ["The value 'up' is not valid for orderBy."] },
      detail: "The value 'x' is not valid for seq.",
    });
    expect(parseFeedQuery(new URL("https://x/feed?seq=3&seq=9&OrderBy=1"))).toEqual({
      seq: 3,
      pageSize: 500,
      orderBy: "Desc",
    });
  });
});

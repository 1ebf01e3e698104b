import { describe, expect, it } from "vitest";
import { conditionAction, interpretCondition } from "../../src/notifications/condition";
import { composeEmail, outcomeOf, unclaimedAction } from "../../src/notifications/consumer";
import { cancelDecision, countStatuses, retryDelaySeconds } from "../../src/notifications/model";
import type { SendJob } from "../../src/notifications/queries";
import { lookupSummary, resolveRecipients, substituteKeywords, type Contacts } from "../../src/notifications/resolve";
import { notificationsView } from "../../src/notifications/views";

const contacts: Contacts = {
  persons: new Map([
    ["01010112345", { nin: "01010112345", name: "Ola Nordmann", email: "ola@example.com", reserved: false }],
    ["02020212345", { nin: "02020212345", name: "Kari Reservert", email: "kari@example.com", reserved: true }],
    ["03030312345", { nin: "03030312345", name: "Uten Adresse", email: null, reserved: false }],
  ]),
  organizations: new Map([
    ["910000001", { orgNo: "910000001", name: "Eksempel AS", emails: ["post@eksempel.example", "OLA@example.com"] }],
    ["910000002", { orgNo: "910000002", name: "Tom AS", emails: [] }],
  ]),
  orgUsers: [{ orgNo: "910000001", userId: "1337", email: "user1337@example.com" }],
};

describe("recipient resolution", () => {
  it("resolves addresses, persons and organisations and de-duplicates addresses case-insensitively", () => {
    const drafts = resolveRecipients(
      [
        { emailAddress: "ola@example.com" },
        { nationalIdentityNumber: "01010112345" },
        { organizationNumber: "910000001" },
        { emailAddress: "Post@Eksempel.example" },
      ],
      contacts,
      false,
    );
    expect(drafts.map((d) => [d.emailAddress, d.status, d.recipientName, d.recipientNumber])).toEqual([
      ["ola@example.com", "New", "", ""],
      ["post@eksempel.example", "New", "Eksempel AS", "910000001"],
      ["user1337@example.com", "New", "Eksempel AS", "910000001"],
    ]);
  });

  it("marks reserved, unknown and address-less recipients, and honours ignoreReservation", () => {
    const rs = [
      { nationalIdentityNumber: "02020212345" },
      { nationalIdentityNumber: "03030312345" },
      { nationalIdentityNumber: "09090912345" },
      { organizationNumber: "910000002" },
    ];
    expect(resolveRecipients(rs, contacts, false).map((d) => d.status)).toEqual([
      "Failed_RecipientReserved",
      "Failed_RecipientNotIdentified",
      "Failed_RecipientNotIdentified",
      "Failed_RecipientNotIdentified",
    ]);
    const ignoring = resolveRecipients(rs.slice(0, 1), contacts, true);
    expect(ignoring).toMatchObject([
      { emailAddress: "kari@example.com", status: "New", isReserved: true, recipientName: "Kari Reservert" },
    ]);
  });

  it("fails malformed register addresses with Failed_InvalidEmailFormat", () => {
    const c: Contacts = {
      ...contacts,
      organizations: new Map([["910000003", { orgNo: "910000003", name: "Rar AS", emails: ["not an address"] }]]),
    };
    expect(resolveRecipients([{ organizationNumber: "910000003" }], c, false)[0]!.status).toBe(
      "Failed_InvalidEmailFormat",
    );
  });

  it("summarises the order-time look-up", () => {
    expect(lookupSummary([{ emailAddress: "a@example.com" }], contacts, false)).toBeNull();
    expect(
      lookupSummary([{ nationalIdentityNumber: "01010112345" }, { organizationNumber: "910000001" }], contacts, false),
    ).toEqual({ status: "Success", isReserved: [], missingContact: [] });
    expect(
      lookupSummary(
        [{ nationalIdentityNumber: "01010112345" }, { nationalIdentityNumber: "02020212345" }],
        contacts,
        false,
      ),
    ).toEqual({ status: "PartialSuccess", isReserved: ["02020212345"], missingContact: [] });
    expect(
      lookupSummary([{ nationalIdentityNumber: "09090912345" }, { organizationNumber: "910000002" }], contacts, false),
    ).toEqual({ status: "Failed", isReserved: [], missingContact: ["09090912345", "910000002"] });
    expect(lookupSummary([{ nationalIdentityNumber: "02020212345" }], contacts, true)).toEqual({
      status: "Success",
      isReserved: ["02020212345"],
      missingContact: [],
    });
  });
});

describe("keywords", () => {
  it("replaces $recipientName$ and $recipientNumber$ case-sensitively", () => {
    expect(
      substituteKeywords("Dear $recipientName$ ($recipientNumber$), $RecipientName$", "Eksempel AS", "910000001"),
    ).toBe("Dear Eksempel AS (910000001), $RecipientName$");
    expect(substituteKeywords("Hi $recipientName$$recipientNumber$!", "", "")).toBe("Hi !");
  });

  const job: SendJob = {
    id: "n1",
    orderId: "o1",
    emailAddress: "a@example.com",
    recipientName: "<Ola & Co>",
    recipientNumber: "910000001",
    attempts: 1,
    subject: "To $recipientName$\r\nBcc: x",
    body: "<p>$recipientName$ $recipientNumber$</p>",
    contentType: "Html",
    fromAddress: "noreply@varsel.example",
  };
  it("composes one-line subjects, escapes names in HTML bodies and uses the notification id as idempotency key", () => {
    const mail = composeEmail(job);
    expect(mail.subject).toBe("To <Ola & Co> Bcc: x");
    expect(mail.body).toBe("<p>&#60;Ola &#38; Co&#62; 910000001</p>");
    expect(mail.idempotencyKey).toBe("n1");
    expect(composeEmail({ ...job, contentType: "Plain" }).body).toBe("<p><Ola & Co> 910000001</p>");
  });
});

describe("sending outcomes, retries and TTL", () => {
  const job: SendJob = {
    id: "n1",
    orderId: "o1",
    emailAddress: "a@example.com",
    recipientName: "",
    recipientNumber: "",
    attempts: 2,
    subject: "s",
    body: "b",
    contentType: "Plain",
    fromAddress: "f@example.com",
  };
  const now = new Date("2026-03-01T12:00:00Z");

  it("maps provider results onto statuses", () => {
    expect(outcomeOf(job, { ok: true, providerMessageId: "m1" }, now, [5, 10], 1).outcome).toEqual({
      id: "n1",
      status: "Succeeded",
      providerMessageId: "m1",
    });
    expect(
      outcomeOf(job, { ok: false, transient: false, invalidAddress: true, error: "550 bad" }, now, [5], 1).outcome
        .status,
    ).toBe("Failed_InvalidEmailFormat");
    expect(outcomeOf(job, { ok: false, transient: false, error: "554" }, now, [5], 1).outcome.status).toBe("Failed");
  });

  it("retries transient failures on the schedule, through the queue until its attempts run low, then the sweep", () => {
    const r = outcomeOf(job, { ok: false, transient: true, error: "ECONNREFUSED" }, now, [5, 10, 30], 1);
    expect(r.retryDelay).toBe(10);
    expect(r.outcome).toMatchObject({ status: "New", dueAt: "2026-03-01T12:00:10.000Z", enqueued: true });
    const late = outcomeOf(job, { ok: false, transient: true, error: "ECONNREFUSED" }, now, [5, 10, 30], 8);
    expect(late.retryDelay).toBeUndefined();
    expect(late.outcome).toMatchObject({ status: "New", enqueued: false });
    expect(retryDelaySeconds([5, 10, 30], 99)).toBe(30);
  });

  it("expires e-mails past their TTL, acknowledges finished ones and waits for one being sent", () => {
    const base = {
      id: "n1",
      orderId: "o1",
      dueAt: now.toISOString(),
      expiresAt: "2026-03-02T12:00:00Z",
      sendingUntil: null,
    };
    expect(unclaimedAction({ ...base, status: "New", expiresAt: "2026-03-01T11:59:59Z" }, now)).toEqual({
      kind: "expire",
    });
    expect(unclaimedAction({ ...base, status: "Succeeded" }, now)).toEqual({ kind: "ack" });
    expect(unclaimedAction(undefined, now)).toEqual({ kind: "ack" });
    expect(unclaimedAction({ ...base, status: "Sending", sendingUntil: "2026-03-01T12:01:00Z" }, now)).toEqual({
      kind: "retry",
      delaySeconds: 60,
    });
  });
});

describe("orders: cancelling, status summary and the send condition", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  it("cancels only registered orders due more than five minutes from now", () => {
    expect(cancelDecision({ status: "Registered", requestedSendTime: "2026-03-01T12:06:00Z" }, now)).toBe("cancel");
    expect(cancelDecision({ status: "Registered", requestedSendTime: "2026-03-01T12:04:00Z" }, now)).toBe("conflict");
    expect(cancelDecision({ status: "Processing", requestedSendTime: "2026-03-01T13:00:00Z" }, now)).toBe("conflict");
    expect(cancelDecision({ status: "Cancelled", requestedSendTime: "2026-03-01T11:00:00Z" }, now)).toBe("already");
  });

  it("counts generated and succeeded e-mails, failed ones included in generated", () => {
    expect(countStatuses(["New", "Succeeded", "Delivered", "Failed_RecipientReserved", "Failed_Bounced"])).toEqual({
      generated: 5,
      succeeded: 2,
    });
    const view = notificationsView({ id: "o1", sendersReference: "ref" } as never, [
      {
        id: "n1",
        orderId: "o1",
        emailAddress: "a@example.com",
        organizationNumber: null,
        nationalIdentityNumber: "01010112345",
        isReserved: false,
        status: "Delivered",
        lastUpdate: now.toISOString(),
      },
    ]);
    expect(view).toMatchObject({
      orderId: "o1",
      sendersReference: "ref",
      generated: 1,
      succeeded: 1,
      notifications: [
        {
          id: "n1",
          succeeded: true,
          recipient: { emailAddress: "a@example.com", nationalIdentityNumber: "01010112345", isReserved: false },
          sendStatus: { status: "Delivered" },
        },
      ],
    });
    expect(view.notifications[0]!.recipient).not.toHaveProperty("organizationNumber");
  });

  it("reads the condition endpoint's answer; inconclusive is retried once, then sent", () => {
    expect(interpretCondition(200, '{"sendNotification": false}')).toBe("skip");
    expect(interpretCondition(200, '{"sendNotification": true}')).toBe("send");
    expect(interpretCondition(200, "yes")).toBe("inconclusive");
    expect(interpretCondition(500, '{"sendNotification": false}')).toBe("inconclusive");
    expect(conditionAction("inconclusive", 0)).toBe("retry");
    expect(conditionAction("inconclusive", 1)).toBe("send");
    expect(conditionAction("skip", 1)).toBe("skip");
  });
});

import { describe, expect, it } from "vitest";
import {
  buildStatusEvent,
  feedRecipients,
  lifecycleStatus,
  MAX_FEED_RECIPIENTS,
  type Owed,
  statusEventId,
  typeSuffix,
} from "../../src/notifications/status-events";

const shipment = { id: "0b0e1d53-5a54-4b6e-9a0b-8f7f2b7d9c02", creator: "ttd", sendersReference: "case-123" };
const owed = (o: Partial<Owed>): Owed => ({
  seq: 1,
  kind: "email",
  rowId: "n-1",
  orderId: shipment.id,
  status: "Succeeded",
  lastUpdate: "2026-08-01T08:05:12.345Z",
  destination: "user@example.com",
  ...o,
});

describe("status events: the pure builder", () => {
  it("names the types of SPEC §5.6 and publishes nothing for intermediate statuses", () => {
    expect(typeSuffix("email", "Succeeded")).toBe("succeeded");
    expect(typeSuffix("sms", "Accepted")).toBe("accepted");
    expect(typeSuffix("sms", "Delivered")).toBe("delivered");
    expect(typeSuffix("email", "Failed_Bounced")).toBe("failed");
    expect(typeSuffix("sms", "Failed")).toBe("failed");
    expect(typeSuffix("shipment", "SendConditionNotMet")).toBe("conditionnotmet");
    expect(typeSuffix("shipment", "Cancelled")).toBe("cancelled");
    for (const [kind, status] of [
      ["email", "Sending"],
      ["sms", "Succeeded"],
      ["email", "Accepted"],
      ["shipment", "Processing"],
    ] as const)
      expect(buildStatusEvent(owed({ kind, status }), shipment, "id")).toBeNull();
  });

  it("builds a notification event on the org's notifications resource, destination left out for a reserved recipient", () => {
    expect(buildStatusEvent(owed({}), shipment, "e-1")).toEqual({
      specversion: "1.0",
      id: "e-1",
      source: `urn:varsel:notifications:shipment:${shipment.id}`,
      type: "no.varsel.notifications.email.succeeded",
      time: "2026-08-01T08:05:12.345Z",
      resource: "urn:altinn:resource:notifications_ttd",
      subject: `/shipment/${shipment.id}`,
      datacontenttype: "application/json",
      data: {
        shipmentId: shipment.id,
        notificationId: "n-1",
        destination: "user@example.com",
        status: "Email_Succeeded",
        lastUpdate: "2026-08-01T08:05:12.345Z",
      },
    });
    const reserved = buildStatusEvent(
      owed({ kind: "sms", status: "Failed_RecipientReserved", destination: "+4799999999" }),
      shipment,
      "e-2",
    );
    expect(reserved?.data).not.toHaveProperty("destination");
    expect(reserved?.type).toBe("no.varsel.notifications.sms.failed");
  });

  it("makes a shipment's data its status-feed entry, with at most MAX_FEED_RECIPIENTS recipients", () => {
    const rows = feedRecipients([
      { kind: "email", destination: "a@example.com", status: "Failed_InvalidEmailFormat", lastUpdate: "t1" },
      { kind: "sms", destination: null, status: "Failed_RecipientReserved", lastUpdate: "t2" },
      { kind: "sms", destination: "+4799999999", status: "Delivered", lastUpdate: "t3" },
    ]);
    expect(rows).toEqual([
      { destination: "a@example.com", status: "Email_Failed_InvalidFormat", lastUpdate: "t1" },
      { destination: "+4799999999", status: "SMS_Delivered", lastUpdate: "t3" },
    ]);
    const e = buildStatusEvent(
      owed({ kind: "shipment", rowId: shipment.id, status: "Completed" }),
      shipment,
      "x",
      rows,
    );
    expect(e?.data).toEqual({
      shipmentId: shipment.id,
      sendersReference: "case-123",
      shipmentType: "Notification",
      status: "Order_Completed",
      lastUpdate: "2026-08-01T08:05:12.345Z",
      recipients: rows,
    });
    const many = Array.from({ length: MAX_FEED_RECIPIENTS + 1 }, () => rows[0]!);
    const big = buildStatusEvent(owed({ kind: "shipment", status: "Completed" }), shipment, "y", many);
    expect((big!.data as { recipients: unknown[] }).recipients).toHaveLength(MAX_FEED_RECIPIENTS);
    expect(big?.data).toHaveProperty("recipientCount", MAX_FEED_RECIPIENTS + 1);
    expect(lifecycleStatus("shipment", "SendConditionNotMet")).toBe("Order_SendConditionNotMet");
  });

  it("derives the event id from the row and its status only: the same transition is the same id", async () => {
    const a = await statusEventId("sms", "n-1", "Delivered");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await statusEventId("sms", "n-1", "Delivered")).toBe(a);
    expect(await statusEventId("sms", "n-1", "Accepted")).not.toBe(a);
    expect(await statusEventId("email", "n-1", "Delivered")).not.toBe(a);
  });
});

/** The current order API's answers (SPEC §5.5, reference §2–§4) as zod schemas with examples, for /openapi.json. */
import { z } from "zod";

const time = "2026-12-01T07:00:00.000Z";
const chain = "5d5f3c4e-2f3a-4a43-9a3e-0b6f0f7c2b11";
const main = "b4e7a3f0-6c2d-4c7e-8f51-7f0b8e2d9a10";
const reminder = "0c9a8e1d-3b5f-4d2a-9e7c-1a2b3c4d5e6f";

const shipmentRef = z.object({ shipmentId: z.string(), sendersReference: z.string().optional() });

/** `POST /future/orders` and the instant orders: 201 (and 200 for a repeated idempotencyId). */
export const chainReceiptResponse = z
  .object({
    notificationOrderId: z.string().describe("The chain's id; `Location` names it"),
    notification: shipmentRef.extend({ reminders: z.array(shipmentRef).optional() }),
  })
  .meta({
    examples: [
      {
        notificationOrderId: chain,
        notification: {
          shipmentId: main,
          sendersReference: "case-4711",
          reminders: [{ shipmentId: reminder, sendersReference: "case-4711" }],
        },
      },
    ],
  });

const recipientStatus = z.object({
  destination: z.string().describe("The e-mail address or mobile number; empty when none was found"),
  status: z.string().describe("`Email_…` or `SMS_…` (Altinn's ProcessingLifecycle)"),
  lastUpdate: z.string(),
});

/** `GET /future/shipment/{id}`. */
export const shipmentResponse = z
  .object({
    shipmentId: z.string(),
    sendersReference: z.string().optional(),
    type: z.enum(["Notification", "Reminder", "Instant"]),
    status: z.string().describe("`Order_…` (Altinn's ProcessingLifecycle)"),
    lastUpdate: z.string(),
    dialogportenAssociation: z
      .object({ dialogId: z.string().optional(), transmissionId: z.string().optional() })
      .optional(),
    recipients: z.array(recipientStatus.extend({ type: z.enum(["Email", "SMS"]) })),
  })
  .meta({
    examples: [
      {
        shipmentId: main,
        sendersReference: "case-4711",
        type: "Notification",
        status: "Order_Completed",
        lastUpdate: time,
        recipients: [
          { type: "Email", destination: "kari.nordmann@example.no", status: "Email_Delivered", lastUpdate: time },
        ],
      },
    ],
  });

/** `GET /future/shipment/feed`: one entry per shipment that reached a final state. */
export const feedResponse = z
  .array(
    z.object({
      sequenceNumber: z.number().int().describe("The cursor: pass it as `seq` for the next page"),
      shipmentId: z.string(),
      sendersReference: z.string().optional(),
      shipmentType: z.enum(["Notification", "Reminder", "Instant"]),
      status: z.string(),
      lastUpdate: z.string(),
      recipients: z.array(recipientStatus),
    }),
  )
  .meta({
    examples: [
      [
        {
          sequenceNumber: 42,
          shipmentId: main,
          sendersReference: "case-4711",
          shipmentType: "Notification",
          status: "Order_Completed",
          lastUpdate: time,
          recipients: [{ destination: "+4799999999", status: "SMS_Delivered", lastUpdate: time }],
        },
      ],
    ],
  });

/** The SMS order API's answers and the gateway's report exchange (SPEC §5.4, §5.7) with examples, for /openapi.json. */
import { z } from "zod";

const time = "2026-11-29T10:00:00Z";
const orderId = "a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11";

/** `POST /orders/sms` (and `/orders/email`): 202 with the order id and, for looked-up recipients, the lookup. */
export const orderAcceptedResponse = z
  .object({
    orderId: z.string(),
    recipientLookup: z
      .object({
        status: z.string(),
        isReserved: z.array(z.string()).optional(),
        missingContact: z.array(z.string()).optional(),
      })
      .optional(),
  })
  .meta({ examples: [{ orderId }] });

/** `GET /orders/{id}/notifications/sms`. */
export const smsSummaryResponse = z
  .object({
    orderId: z.string(),
    sendersReference: z.string().nullable(),
    generated: z.number().int(),
    succeeded: z.number().int(),
    notifications: z.array(
      z.object({
        id: z.string(),
        succeeded: z.boolean(),
        recipient: z.object({
          mobileNumber: z.string().describe("Empty for a reserved or unidentified recipient"),
          organizationNumber: z.string().optional(),
          nationalIdentityNumber: z.string().optional(),
        }),
        sendStatus: z.object({ status: z.string(), description: z.string(), lastUpdate: z.string() }),
      }),
    ),
  })
  .meta({
    examples: [
      {
        orderId,
        sendersReference: "ref-1",
        generated: 1,
        succeeded: 1,
        notifications: [
          {
            id: "5b0c1d2e-3f40-4152-8a6b-7c8d9e0f1a2b",
            succeeded: true,
            recipient: { mobileNumber: "+4799999999" },
            sendStatus: {
              status: "Delivered",
              description: "The SMS was successfully delivered to its destination.",
              lastUpdate: time,
            },
          },
        ],
      },
    ],
  });

/** The gateway's delivery reports (PSWin's MSGLST), as XML text. */
export const deliveryReportBody = z.string().meta({
  description: "`<MSGLST>` of `<MSG>` with `ID`, `REF`, `RCV`, `STATE` and optionally `DELIVERYTIME`",
  examples: [
    '<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><REF>0f2c…</REF><RCV>4799999999</RCV><STATE>DELIVRD</STATE><DELIVERYTIME>2026.11.29 10:00:00</DELIVERYTIME></MSG></MSGLST>',
  ],
});

/** The reply the gateway expects: OK per message. */
export const deliveryReportReply = z.string().meta({
  description: "`<MSGLST>` with `<MSG><ID>…</ID><STATUS>OK</STATUS></MSG>` per report",
  examples: ['<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><STATUS>OK</STATUS></MSG></MSGLST>'],
});

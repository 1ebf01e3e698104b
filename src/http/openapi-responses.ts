/**
 * Response schemas (with examples) of the routes registered before RouteDoc had `response`, keyed
 * by `method path` so those route files stay untouched while others edit them. A route's own
 * `response` wins; test/integration/openapi-responses.test.ts fails when a key names no route.
 */
import { z } from "zod";
import { personLineSchema, organizationLineSchema, orgUserLineSchema } from "../contacts/schemas";
import { resourceResponse } from "../resources/list-schemas";

const time = "2026-11-29T10:00:00Z";
const urn = "urn:altinn:resource:ttd-demo-events";

export const cloudEventResponse = z
  .looseObject({
    id: z.string(),
    type: z.string(),
    source: z.string(),
    specversion: z.literal("1.0"),
    time: z.string(),
    resource: z.string(),
    subject: z.string().optional(),
    alternativesubject: z.string().optional(),
    resourceinstance: z.string().optional(),
    datacontenttype: z.string().optional(),
    data: z.unknown().optional(),
  })
  .meta({
    examples: [
      {
        id: "f276d3da-9b72-492b-9fee-9cf71e2826a2",
        type: "app.instance.created",
        source: "https://ttd.apps.altinn.no/ttd/apps-test/instances/50001337/1c6b5",
        specversion: "1.0",
        time,
        resource: urn,
        subject: "/party/50001337",
      },
    ],
  });

const subscription = z
  .object({
    id: z.number().int(),
    endPoint: z.string(),
    sourceFilter: z.string().nullable(),
    resourceFilter: z.string().nullable(),
    subjectFilter: z.string().nullable(),
    alternativeSubjectFilter: z.string().nullable(),
    typeFilter: z.string().nullable(),
    consumer: z.string(),
    createdBy: z.string(),
    created: z.string(),
    validated: z.boolean(),
    disabled: z.boolean().optional(),
    disabledReason: z.string().optional(),
    secret: z
      .string()
      .optional()
      .describe("The `whsec_…` signing secret, only in the answer that created the subscription"),
  })
  .meta({
    examples: [
      {
        id: 7,
        endPoint: "https://hooks.example.com/varsel",
        sourceFilter: null,
        resourceFilter: urn,
        subjectFilter: null,
        alternativeSubjectFilter: null,
        typeFilter: null,
        consumer: "/org/ttd",
        createdBy: "/org/ttd",
        created: time,
        validated: true,
      },
    ],
  });

const attempt = z.object({
  attempt: z.number().int(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number(),
  time: z.string(),
  error: z.string().nullable(),
  response: z.string().nullable().optional(),
});
const deliveries = z
  .object({
    count: z.number().int(),
    deliveries: z.array(
      z.object({
        eventId: z.string(),
        status: z.enum(["pending", "delivered", "failed"]),
        attempts: z.array(attempt),
        nextAttemptAt: z.string().nullable(),
      }),
    ),
  })
  .meta({
    examples: [
      {
        count: 1,
        deliveries: [
          {
            eventId: "f276d3da-9b72-492b-9fee-9cf71e2826a2",
            status: "pending",
            attempts: [{ attempt: 1, statusCode: 503, durationMs: 41, time, error: null, response: "busy" }],
            nextAttemptAt: "2026-11-29T10:00:10Z",
          },
        ],
      },
    ],
  });

const processingStatus = z.object({ status: z.string(), description: z.string(), lastUpdate: z.string() });
const orderCommon = {
  id: z.string(),
  creator: z.string(),
  sendersReference: z.string().nullable(),
  requestedSendTime: z.string(),
  created: z.string(),
  notificationChannel: z.string(),
  ignoreReservation: z.boolean(),
  resourceId: z.string().nullable(),
  conditionEndpoint: z.string().nullable(),
};
const orderExample = {
  id: "a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11",
  creator: "ttd",
  sendersReference: "ref-1",
  requestedSendTime: time,
  created: time,
  notificationChannel: "Email",
  ignoreReservation: false,
  resourceId: null,
  conditionEndpoint: null,
};
const order = z.looseObject({
  ...orderCommon,
  recipients: z.array(z.record(z.string(), z.unknown())),
  emailTemplate: z.record(z.string(), z.unknown()).nullable(),
  links: z.object({ self: z.string(), status: z.string() }),
});
const orderStatus = z
  .looseObject({ ...orderCommon, processingStatus, notificationsStatusSummary: z.record(z.string(), z.unknown()) })
  .meta({
    examples: [
      {
        ...orderExample,
        processingStatus: {
          status: "Completed",
          description: "Order processing is completed. All notifications have been generated.",
          lastUpdate: time,
        },
        notificationsStatusSummary: { email: { links: { self: "…/notifications/email" }, generated: 1, succeeded: 1 } },
      },
    ],
  });
const emailNotifications = z
  .object({
    orderId: z.string(),
    sendersReference: z.string().nullable(),
    generated: z.number().int(),
    succeeded: z.number().int(),
    notifications: z.array(
      z.object({
        id: z.string(),
        succeeded: z.boolean(),
        recipient: z.record(z.string(), z.unknown()),
        sendStatus: processingStatus,
      }),
    ),
  })
  .meta({
    examples: [
      {
        orderId: orderExample.id,
        sendersReference: "ref-1",
        generated: 1,
        succeeded: 1,
        notifications: [
          {
            id: "0b8f…",
            succeeded: true,
            recipient: { emailAddress: "kari@example.com" },
            sendStatus: {
              status: "Succeeded",
              description: "The email has been accepted by the third party email service and will be sent shortly.",
              lastUpdate: time,
            },
          },
        ],
      },
    ],
  });
const imported = z
  .object({ imported: z.number().int(), rejected: z.array(z.object({ line: z.number().int(), error: z.string() })) })
  .meta({ examples: [{ imported: 2, rejected: [{ line: 3, error: "The line is not valid JSON." }] }] });

export const LEGACY_RESPONSES: Record<string, z.ZodType> = {
  "get /health": z
    .looseObject({
      status: z.string(),
      storage: z.string().optional(),
      time: z.string().optional(),
      checks: z.record(z.string(), z.unknown()).optional(),
    })
    .meta({ examples: [{ status: "Healthy", storage: "ok", time }] }),
  "get /events/api/v1/events": z.array(cloudEventResponse),
  "get /events/api/v1/app/:org/:app": z.array(cloudEventResponse),
  "get /events/api/v1/app/party": z.array(cloudEventResponse),
  "post /events/api/v1/app": z
    .string()
    .describe("The id of the stored event")
    .meta({ examples: ["f276d3da-9b72-492b-9fee-9cf71e2826a2"] }),
  "post /events/api/v1/subscriptions": subscription,
  "get /events/api/v1/subscriptions": z.object({ count: z.number().int(), subscriptions: z.array(subscription) }),
  "get /events/api/v1/subscriptions/:id": subscription,
  "get /events/api/v1/subscriptions/:id/deliveries": deliveries,
  "post /events/api/v1/subscriptions/:id/recover": z
    .object({ queued: z.number().int() })
    .meta({ examples: [{ queued: 3 }] }),
  "put /admin/api/v1/resources/:resourceId": resourceResponse,
  "get /admin/api/v1/resources/:resourceId": resourceResponse,
  "post /notifications/api/v1/orders/email": z
    .object({ orderId: z.string(), recipientLookup: z.record(z.string(), z.unknown()).optional() })
    .meta({ examples: [{ orderId: orderExample.id }] }),
  "get /notifications/api/v1/orders": z.object({ count: z.number().int(), orders: z.array(order) }),
  "get /notifications/api/v1/orders/:id": order,
  "get /notifications/api/v1/orders/:id/status": orderStatus,
  "put /notifications/api/v1/orders/:id/cancel": orderStatus,
  "get /notifications/api/v1/orders/:id/notifications/email": emailNotifications,
  "get /admin/api/v1/contacts/persons/:nin": personLineSchema,
  "put /admin/api/v1/contacts/persons/:nin": personLineSchema,
  "post /admin/api/v1/contacts/persons": imported,
  "get /admin/api/v1/contacts/organizations/:orgNo": organizationLineSchema,
  "put /admin/api/v1/contacts/organizations/:orgNo": organizationLineSchema,
  "post /admin/api/v1/contacts/organizations": imported,
  "get /admin/api/v1/contacts/organizations/:orgNo/users/:userId": orgUserLineSchema,
  "post /admin/api/v1/contacts/organizations/users": imported,
};

/**
 * Response schemas (with examples) of the routes registered before RouteDoc had `response`, and
 * examples for their request bodies, keyed by `method path` so those route files stay untouched
 * while others edit them. A route's own `response` (and its body schema's own examples) win;
 * test/integration/openapi-responses.test.ts fails when a key names no route, and
 * test/integration/openapi-complete.test.ts when a route has neither.
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
const orderLinks = {
  self: "https://varsel.example/notifications/api/v1/orders/a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11",
  status: "https://varsel.example/notifications/api/v1/orders/a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11/status",
};
const order = z
  .looseObject({
    ...orderCommon,
    recipients: z.array(z.record(z.string(), z.unknown())),
    emailTemplate: z.record(z.string(), z.unknown()).nullable(),
    links: z.object({ self: z.string(), status: z.string() }),
  })
  .meta({
    examples: [
      {
        ...orderExample,
        recipients: [
          {
            emailAddress: "kari@example.com",
            mobileNumber: null,
            organizationNumber: null,
            nationalIdentityNumber: null,
            isReserved: null,
          },
        ],
        emailTemplate: { fromAddress: "noreply@varsel.example", subject: "Hei", body: "Melding", contentType: "Plain" },
        smsTemplate: null,
        links: orderLinks,
      },
    ],
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

const person = { name: "Kari Nordmann", email: "kari@example.no", mobile: "+4799999999", reserved: false };
const organization = { name: "Org AS", emails: ["post@org.no"], mobiles: ["+4722222222"] };
const orgUser = { email: "ola@org.no", mobile: null, resources: [urn] };
const firstExample = (schema: z.ZodType) => (schema.meta()?.examples as unknown[] | undefined)?.[0];
const withExamples = <S extends z.ZodType>(schema: S, examples: unknown[]) =>
  schema.meta({ ...(schema.meta() ?? {}), examples });
const personAnswer = withExamples(personLineSchema, [{ nin: "01019012345", ...person }]);
const organizationAnswer = withExamples(organizationLineSchema, [{ orgNo: "930000111", ...organization }]);
const orgUserAnswer = withExamples(orgUserLineSchema, [{ orgNo: "930000111", userId: "12345", ...orgUser }]);
const deleted = z.object({ deleted: z.literal(true) }).meta({ examples: [{ deleted: true }] });

/** An answer with no body at all (`200` or `202` with nothing after the headers). */
export const EMPTY_BODY = "empty" as const;

export const LEGACY_RESPONSES: Record<string, z.ZodType | typeof EMPTY_BODY> = {
  "get /openapi.json": z
    .looseObject({
      openapi: z.string(),
      info: z.looseObject({ title: z.string(), version: z.string() }),
      paths: z.record(z.string(), z.unknown()),
    })
    .meta({ examples: [{ openapi: "3.1.0", info: { title: "Varsel", version: "1.0.0" }, paths: {} }] }),
  "post /events/api/v1/events": EMPTY_BODY,
  "delete /events/api/v1/subscriptions/:id": EMPTY_BODY,
  "post /events/api/v1/subscriptions/:id/deliveries/:eventId/redeliver": EMPTY_BODY,
  "delete /admin/api/v1/resources/:resourceId": deleted,
  "delete /admin/api/v1/contacts/persons/:nin": deleted,
  "delete /admin/api/v1/contacts/organizations/:orgNo": deleted,
  "delete /admin/api/v1/contacts/organizations/:orgNo/users/:userId": deleted,
  "post /notifications/api/v1/email/webhooks/:provider": z
    .object({
      updated: z.number().int().describe("How many e-mails changed status"),
      duplicate: z.boolean().optional().describe("A delivery id already handled: nothing changed"),
    })
    .meta({ examples: [{ updated: 1 }] }),
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
  "get /events/api/v1/subscriptions": z
    .object({ count: z.number().int(), subscriptions: z.array(subscription) })
    .meta({ examples: [{ count: 1, subscriptions: [firstExample(subscription)] }] }),
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
  "get /notifications/api/v1/orders": z
    .object({ count: z.number().int(), orders: z.array(order) })
    .meta({ examples: [{ count: 1, orders: [firstExample(order)] }] }),
  "get /notifications/api/v1/orders/:id": order,
  "get /notifications/api/v1/orders/:id/status": orderStatus,
  "put /notifications/api/v1/orders/:id/cancel": orderStatus,
  "get /notifications/api/v1/orders/:id/notifications/email": emailNotifications,
  "get /admin/api/v1/contacts/persons/:nin": personAnswer,
  "put /admin/api/v1/contacts/persons/:nin": personAnswer,
  "post /admin/api/v1/contacts/persons": imported,
  "get /admin/api/v1/contacts/organizations/:orgNo": organizationAnswer,
  "put /admin/api/v1/contacts/organizations/:orgNo": organizationAnswer,
  "post /admin/api/v1/contacts/organizations": imported,
  "get /admin/api/v1/contacts/organizations/:orgNo/users/:userId": orgUserAnswer,
  "put /admin/api/v1/contacts/organizations/:orgNo/users/:userId": orgUserAnswer,
  "post /admin/api/v1/contacts/organizations/users": imported,
};

const event = {
  id: "f276d3da-9b72-492b-9fee-9cf71e2826a2",
  type: "app.instance.created",
  source: "https://ttd.apps.altinn.no/ttd/apps-test/instances/50001337/1c6b5",
  specversion: "1.0",
  resource: urn,
  time,
  subject: "/party/50001337",
  data: { process: "Task_1" },
};

/** Examples for the request bodies of routes whose body schema carries none of its own. */
export const LEGACY_BODY_EXAMPLES: Record<string, unknown[]> = {
  "post /events/api/v1/events": [event],
  "post /events/api/v1/app": [
    {
      type: "app.instance.created",
      source: "https://ttd.apps.altinn.no/ttd/apps-test/instances/50001337/1c6b5",
      subject: "/party/50001337",
      specversion: "1.0",
    },
  ],
  "post /events/api/v1/subscriptions": [
    { endPoint: "https://hooks.example.com/varsel", resourceFilter: urn, typeFilter: "app.instance.created" },
  ],
  "put /admin/api/v1/resources/:resourceId": [
    { owner: "ttd", title: "Demo events", grants: [{ subject: "/org/digdir", actions: ["subscribe", "read"] }] },
  ],
  "put /admin/api/v1/contacts/persons/:nin": [person],
  "post /admin/api/v1/contacts/persons": [{ nin: "01019012345", ...person }],
  "put /admin/api/v1/contacts/organizations/:orgNo": [organization],
  "post /admin/api/v1/contacts/organizations": [{ orgNo: "930000111", ...organization }],
  "put /admin/api/v1/contacts/organizations/:orgNo/users/:userId": [orgUser],
  "post /admin/api/v1/contacts/organizations/users": [{ orgNo: "930000111", userId: "12345", ...orgUser }],
  "post /notifications/api/v1/orders/email": [
    {
      subject: "Nytt brev",
      body: "Hei $recipientName$, du har fått et brev.",
      recipients: [{ emailAddress: "kari@example.no" }, { nationalIdentityNumber: "01019012345" }],
      sendersReference: "case-4711",
      requestedSendTime: "2026-12-01T08:00:00+01:00",
    },
  ],
};

/** Request bodies of routes registered without one: the e-mail provider's webhook (checked by its signature). */
export const LEGACY_BODIES: Record<string, { schema: z.ZodType; types?: string[] }> = {
  "post /notifications/api/v1/email/webhooks/:provider": {
    schema: z
      .looseObject({
        type: z.string().describe("`email.delivered`, `email.bounced`, …"),
        created_at: z.string().optional(),
        data: z.looseObject({ email_id: z.string() }),
      })
      .meta({
        description: "The provider's delivery event, signed (Standard Webhooks headers)",
        examples: [
          {
            type: "email.delivered",
            created_at: time,
            data: { email_id: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c" },
          },
        ],
      }),
  },
};

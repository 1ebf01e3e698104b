/**
 * Instant orders (SPEC §5.5, reference §3): the message is sent before the answer, through the same
 * provider interfaces as everything else, and only then stored as an `Instant` shipment. The
 * idempotency key is claimed FIRST (a UNIQUE insert with no answer yet), so two identical requests
 * arriving together send once: the second waits for the first one's answer. A provider that cannot
 * take the message → 503 NOT-00004, the claim is released and nothing is stored.
 */
import { emailProvider } from "../../email/select";
import type { Env } from "../../env";
import { readJson } from "../../http/body";
import type { AppContext } from "../../http/context";
import { fail } from "../../http/problem";
import { json } from "../../http/respond";
import { route, type AppRouter } from "../../http/router";
import { errorText } from "../../lib/errors";
import { DEFAULT_SENDER } from "../../sms/model";
import { smsProvider } from "../../sms/provider";
import { completeSmsOrders } from "../../sms/queries";
import { requireCreator } from "../auth";
import { completeOrders } from "../queries";
import {
  type InstantEmail,
  type InstantSms,
  instantEmailSchema,
  instantSmsSchema,
  parseInstantEmail,
  parseInstantSms,
} from "./instant-schemas";
import { chainReceiptResponse } from "./response-schemas";
import type { FutureRecipient } from "./schemas";
import { type ChainReceipt, insertShipment, storedAnswer } from "./store";

const PATH = "/notifications/api/v1/future/orders/instant";
const auth = ["bearer", "platformAccessToken"] as ("bearer" | "platformAccessToken")[];
/** How long a repeated request waits for the first one's answer. */
const WAIT_MS = 40_000;

/** A claim without an answer this old was abandoned (its request died mid-send): the key may be claimed again. */
const ABANDONED_AFTER_MS = 120_000;
export const CLAIM_INSTANT_SQL = `INSERT INTO future_idempotency (creator, kind, idempotency_id, created, response)
VALUES (?1, 'Instant', ?2, ?3, NULL)
ON CONFLICT (creator, kind, idempotency_id) DO UPDATE SET created = excluded.created
 WHERE future_idempotency.response IS NULL AND future_idempotency.created < ?4`;

type Claim = { kind: "mine" } | { kind: "answered"; receipt: ChainReceipt };

/** Claims the key, or waits for the request that holds it to answer (or give up, then claims again). */
async function claimKey(env: Env, creator: string, id: string, now: () => Date): Promise<Claim> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const at = now();
    const claimed = await env.DB.prepare(CLAIM_INSTANT_SQL)
      .bind(creator, id, at.toISOString(), new Date(at.getTime() - ABANDONED_AFTER_MS).toISOString())
      .run();
    if ((claimed.meta.changes ?? 0) > 0) return { kind: "mine" };
    const first = await storedAnswer<ChainReceipt>(env, creator, "Instant", id);
    if (first) return { kind: "answered", receipt: first };
    await new Promise((r) => setTimeout(r, 100));
  }
  fail({ kind: "coded", code: "NOT-00004" });
}

async function releaseKey(env: Env, creator: string, id: string): Promise<void> {
  await env.DB.prepare(
    "DELETE FROM future_idempotency WHERE creator = ?1 AND kind = 'Instant' AND idempotency_id = ?2 AND response IS NULL",
  )
    .bind(creator, id)
    .run();
}

function answer(app: AppContext, receipt: ChainReceipt, created: boolean): Response {
  const location = `${app.baseUrl}/notifications/api/v1/orders/chain/${receipt.notificationOrderId}`;
  return json(receipt, created ? 201 : 200, created ? { location } : undefined);
}

function receiptFor(chainId: string, shipmentId: string, ref: string | null): ChainReceipt {
  return {
    notificationOrderId: chainId,
    notification: { shipmentId, ...(ref !== null ? { sendersReference: ref } : {}) },
  };
}

const saveAnswer = (env: Env, creator: string, id: string, receipt: ChainReceipt) =>
  env.DB.prepare(
    "UPDATE future_idempotency SET response = ?3 WHERE creator = ?1 AND kind = 'Instant' AND idempotency_id = ?2",
  ).bind(creator, id, JSON.stringify(receipt));

/**
 * Stores a message the provider has taken: its `Instant` shipment, its notification row and the
 * idempotent answer, in one batch. Returns the answer.
 */
async function storeSent(
  env: Env,
  creator: string,
  o: { idempotencyId: string; sendersReference: string | null },
  ids: { chainId: string; shipmentId: string; now: Date },
  sent: { recipient: FutureRecipient; defaultFrom: string; notification: D1PreparedStatement },
): Promise<ChainReceipt> {
  const receipt = receiptFor(ids.chainId, ids.shipmentId, o.sendersReference);
  const shipment = {
    id: ids.shipmentId,
    type: "Instant" as const,
    request: {
      requestedSendTime: ids.now.toISOString(),
      sendersReference: o.sendersReference,
      conditionEndpoint: null,
      recipient: sent.recipient,
    },
  };
  await env.DB.batch([
    insertShipment(env, {
      shipment,
      chainId: ids.chainId,
      creator,
      now: ids.now,
      defaultFrom: sent.defaultFrom,
      dialogporten: null,
      status: "Processing",
    }),
    sent.notification,
    saveAnswer(env, creator, o.idempotencyId, receipt),
  ]);
  return receipt;
}

async function sendSms(app: AppContext, creator: string, o: InstantSms): Promise<ChainReceipt> {
  const { env } = app;
  const provider = smsProvider(env);
  const now = app.now();
  const [chainId, shipmentId, notificationId] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const sender = o.sender ?? DEFAULT_SENDER;
  const result = provider
    ? (
        await provider.send([
          {
            id: notificationId,
            text: o.body,
            sender,
            receiver: o.phoneNumber,
            ttlMinutes: Math.max(1, Math.round(o.timeToLiveInSeconds / 60)),
          },
        ])
      )[0]
    : { status: "Transient" as const, error: "no SMS gateway configured" };
  // Taken: accepted, or the number refused by the gateway. Anything else (down, logon refused): nothing stored.
  if (!result || (result.status !== "Accepted" && result.status !== "Failed_InvalidRecipient")) {
    console.warn(JSON.stringify({ msg: "instant SMS not taken by the gateway", error: result?.error ?? "no result" }));
    throw new ProviderDown();
  }
  const t = now.toISOString();
  const receipt = await storeSent(
    env,
    creator,
    o,
    { chainId, shipmentId, now },
    {
      recipient: {
        kind: "sms",
        phoneNumber: o.phoneNumber,
        smsSettings: { sender, body: o.body, sendingTimePolicy: "Anytime" },
      },
      defaultFrom: "",
      notification: env.DB.prepare(
        `INSERT INTO sms_notifications (id, order_id, dedup_key, mobile_number, status, last_update, due_at, expires_at, enqueued_at, attempts, gateway_reference, last_error)
       VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?5, ?6, ?5, 1, ?7, ?8)`,
      ).bind(
        notificationId,
        shipmentId,
        o.phoneNumber,
        result.status,
        t,
        new Date(now.getTime() + o.timeToLiveInSeconds * 1000).toISOString(),
        result.status === "Accepted" ? result.gatewayReference : null,
        result.status === "Accepted" ? null : result.error.slice(0, 500),
      ),
    },
  );
  await completeSmsOrders(env, [shipmentId], app.now());
  return receipt;
}

async function sendEmail(app: AppContext, creator: string, o: InstantEmail): Promise<ChainReceipt> {
  const { env } = app;
  const provider = emailProvider(env);
  const now = app.now();
  const [chainId, shipmentId, notificationId] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const from = o.senderEmailAddress ?? (env.EMAIL_FROM || "noreply@varsel.example");
  let result: Awaited<ReturnType<typeof provider.send>>;
  try {
    result = await provider.send({
      to: o.emailAddress,
      from,
      subject: o.subject,
      body: o.body,
      contentType: o.contentType,
      idempotencyKey: notificationId,
    });
  } catch (e) {
    result = { ok: false, transient: true, error: errorText(e) };
  } finally {
    await provider.close?.().catch(() => {});
  }
  if (!result.ok && !result.invalidAddress) {
    console.warn(
      JSON.stringify({ msg: "instant e-mail not taken by the provider", error: result.error.slice(0, 200) }),
    );
    throw new ProviderDown();
  }
  const t = now.toISOString();
  const receipt = await storeSent(
    env,
    creator,
    o,
    { chainId, shipmentId, now },
    {
      recipient: {
        kind: "email",
        emailAddress: o.emailAddress,
        emailSettings: { senderEmailAddress: from, subject: o.subject, body: o.body, contentType: o.contentType },
      },
      defaultFrom: from,
      notification: env.DB.prepare(
        `INSERT INTO email_notifications (id, order_id, dedup_key, email_address, status, last_update, due_at, expires_at, enqueued_at, attempts, provider_message_id, last_error)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?6, 1, ?8, ?9)`,
      ).bind(
        notificationId,
        shipmentId,
        o.emailAddress.toLowerCase(),
        o.emailAddress,
        result.ok ? "Succeeded" : "Failed_InvalidEmailFormat",
        t,
        new Date(now.getTime() + 48 * 3600_000).toISOString(),
        result.ok ? result.providerMessageId : null,
        result.ok ? null : result.error.slice(0, 500),
      ),
    },
  );
  await completeOrders(env, [shipmentId], app.now());
  return receipt;
}

class ProviderDown extends Error {}

async function instant<T extends { idempotencyId: string }>(
  app: AppContext,
  creator: string,
  order: T,
  send: (app: AppContext, creator: string, o: T) => Promise<ChainReceipt>,
): Promise<Response> {
  const claim = await claimKey(app.env, creator, order.idempotencyId, app.now);
  if (claim.kind === "answered") return answer(app, claim.receipt, false);
  try {
    return answer(app, await send(app, creator, order), true);
  } catch (e) {
    await releaseKey(app.env, creator, order.idempotencyId).catch(() => {});
    if (e instanceof ProviderDown) fail({ kind: "coded", code: "NOT-00004" });
    throw e;
  }
}

const responses = {
  201: "Sent and stored: `{notificationOrderId, notification {shipmentId, sendersReference}}`",
  200: "The same idempotencyId again: the first answer",
  400: "Invalid order",
  401: "No valid token",
  403: "Scope or org claim missing",
  503: "NOT-00004: the provider could not take the message; nothing stored",
};
const instantDoc = {
  tag: "Notifications (current)",
  security: auth,
  responses,
  response: chainReceiptResponse.meta({
    examples: [
      {
        notificationOrderId: "8a1f2e3d-4c5b-4a69-8b7c-6d5e4f3a2b1c",
        notification: { shipmentId: "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b", sendersReference: "login-otp" },
      },
    ],
  }),
  coded: { 503: "NOT-00004" as const },
};

export function registerInstantRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: `${PATH}/sms`,
      summary: "Send one SMS at once (one-time codes)",
      body: instantSmsSchema,
      ...instantDoc,
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const parsed = parseInstantSms(await readJson(req, { maxBytes: 64_000 }));
      if (!parsed.ok) fail({ kind: "validation", errors: parsed.errors });
      return instant(app, creator, parsed.value, sendSms);
    },
  );
  route(
    router,
    {
      method: "post",
      path: `${PATH}/email`,
      summary: "Send one e-mail at once",
      body: instantEmailSchema,
      ...instantDoc,
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const parsed = parseInstantEmail(await readJson(req, { maxBytes: 256_000 }));
      if (!parsed.ok) fail({ kind: "validation", errors: parsed.errors });
      return instant(app, creator, parsed.value, sendEmail);
    },
  );
}

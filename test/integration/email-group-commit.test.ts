// The e-mail consumer stores outcomes that complete together in one statement (group commit), and
// still acknowledges nothing before it is stored.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EmailProvider } from "../../src/email/provider";
import type { Env } from "../../src/env";
import { consumeEmailBatch } from "../../src/notifications/consumer";
import { processDueOrders } from "../../src/notifications/processing";
import { postJson } from "../helpers/http";
import { recordingEnv } from "../helpers/recording-db";
import { recordingQueue } from "../helpers/recording-queue";
import { altinnToken, bearer } from "../helpers/tokens";

const N = 60;

describe("e-mail outcomes", () => {
  it("are written in fewer statements than e-mails, every one stored before its message is acknowledged", async () => {
    const ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const when = Date.now() + 20 * 60_000;
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        requestedSendTime: new Date(when).toISOString(),
        recipients: Array.from({ length: N }, (_, i) => ({ emailAddress: `group${when}-${i}@example.com` })),
      },
      ttd,
    );
    const { orderId } = (await res.json()) as { orderId: string };
    const q = recordingQueue();
    await processDueOrders({ ...env, EMAIL_QUEUE: q.queue } as Env, new Date(when + 1000));
    expect(q.ids).toHaveLength(N);

    const at = new Date(when + 2000);
    const batch = createMessageBatch(
      "varsel-email",
      q.ids.map((notificationId) => ({
        id: `m-${notificationId}`,
        timestamp: at,
        attempts: 1,
        body: { notificationId },
      })),
    );
    const stored = async () =>
      (await env.DB.prepare(
        "SELECT count(*) AS n FROM email_notifications WHERE order_id = ?1 AND status = 'Succeeded'",
      )
        .bind(orderId)
        .first<{ n: number }>())!.n;
    // Each send checks that every e-mail acknowledged so far is stored as Succeeded.
    let acked = 0;
    const seenBehind: number[] = [];
    const provider: EmailProvider = {
      name: "instant",
      async send(mail) {
        if ((await stored()) < acked) seenBehind.push(acked);
        return { ok: true, providerMessageId: `instant-${mail.idempotencyKey}` };
      },
    };
    for (const m of batch.messages) {
      const ack = m.ack.bind(m);
      m.ack = () => {
        acked++;
        ack();
      };
    }
    const { env: recorded, statements } = recordingEnv({ ...env, EMAIL_QUEUE: q.queue } as Env);
    await consumeEmailBatch(batch, recorded, provider, () => at);
    await getQueueResult(batch, createExecutionContext());

    expect(await stored()).toBe(N);
    expect(acked).toBe(N);
    expect(seenBehind).toEqual([]);
    const outcomeWrites = statements.filter((s) => /SET status = json_extract/.test(s.sql)).length;
    expect(outcomeWrites).toBeGreaterThan(0);
    expect(outcomeWrites).toBeLessThan(N / 2);
  });
});

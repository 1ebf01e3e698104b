import type { Env } from "../env";
import { consumeSmsBatch } from "./consumer";
import { smsProvider } from "./provider";

/** The `varsel-sms` queue: one gateway session per message, a batch's sessions posted in parallel. */
export async function handleSmsBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await consumeSmsBatch(batch, env, smsProvider(env));
}

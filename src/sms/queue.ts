import type { Env } from "../env";
import { afterReturn } from "../notifications/status-events";
import { consumeSmsBatch } from "./consumer";
import { smsProvider } from "./provider";

/** The `varsel-sms` queue: one gateway session per message, a batch's sessions posted in parallel. */
export async function handleSmsBatch(batch: MessageBatch<unknown>, env: Env, exec?: ExecutionContext): Promise<void> {
  await consumeSmsBatch(batch, env, smsProvider(env), undefined, exec ? afterReturn(exec) : undefined);
}

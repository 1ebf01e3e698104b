import { emailProvider } from "../email/select";
import type { Env } from "../env";
import { consumeEmailBatch } from "./consumer";
import { afterReturn } from "./status-events";

/** The `varsel-email` queue: one provider per batch (the SMTP one reuses its connection across the batch). */
export async function handleEmailBatch(batch: MessageBatch<unknown>, env: Env, exec?: ExecutionContext): Promise<void> {
  await consumeEmailBatch(batch, env, emailProvider(env), undefined, exec ? afterReturn(exec) : undefined);
}

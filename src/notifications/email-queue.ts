import { emailProvider } from "../email/select";
import type { Env } from "../env";
import { consumeEmailBatch } from "./consumer";

/** The `varsel-email` queue: one provider per batch (the SMTP one reuses its connection across the batch). */
export async function handleEmailBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await consumeEmailBatch(batch, env, emailProvider(env));
}

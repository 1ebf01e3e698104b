import { handleEventsBatch, handleEventsDeadLetters } from "./delivery/matcher";
import type { Env } from "./env";
import { handleEmailBatch } from "./notifications/email-queue";
import { handleSmsBatch } from "./sms/queue";

/** Routes each queue's batches to its consumer; the queue name tells which pipeline it is. */
export async function handleQueueBatch(batch: MessageBatch<unknown>, env: Env, exec: ExecutionContext): Promise<void> {
  // The dead-letter queue first: its name starts like the events queue's.
  if (batch.queue.startsWith("varsel-events-dlq")) {
    await handleEventsDeadLetters(batch, env);
    return;
  }
  if (batch.queue.startsWith("varsel-events")) {
    await handleEventsBatch(batch, env);
    return;
  }
  if (batch.queue.startsWith("varsel-email")) {
    await handleEmailBatch(batch, env, exec);
    return;
  }
  if (batch.queue.startsWith("varsel-sms")) {
    await handleSmsBatch(batch, env, exec);
    return;
  }
  console.error(JSON.stringify({ msg: "message from an unknown queue", queue: batch.queue }));
  batch.retryAll();
  void env;
  void exec;
}

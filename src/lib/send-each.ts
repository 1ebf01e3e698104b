/**
 * Crash-safe sending for any channel (e-mail, SMS): each job's outcome is recorded the moment its send
 * completes, so a crash repeats at most the sends in flight, never a whole batch. No send starts after
 * `stopStartingAt` (so none outlives the claim that covers it); jobs left over are handed back.
 */
import { mapLimited } from "./parallel";

export interface SendEachOptions<J, R> {
  /** Simultaneous sends (Workers allow six outgoing connections per invocation). */
  concurrency: number;
  /** Epoch ms after which no new send starts. */
  stopStartingAt: number;
  now: () => number;
  send: (job: J) => Promise<R>;
  /** Stores one outcome durably; called right after that job's send. Should not throw. */
  record: (job: J, result: R) => Promise<void>;
  /** Releases jobs that were claimed but never started. */
  handBack: (jobs: J[]) => Promise<void>;
}

export async function sendEach<J, R>(
  jobs: readonly J[],
  o: SendEachOptions<J, R>,
): Promise<{ sent: number; handedBack: number }> {
  const left: J[] = [];
  let sent = 0;
  await mapLimited(jobs, o.concurrency, async (job) => {
    if (o.now() >= o.stopStartingAt) {
      left.push(job);
      return;
    }
    const result = await o.send(job);
    sent++;
    await o.record(job, result);
  });
  if (left.length) await o.handBack(left);
  return { sent, handedBack: left.length };
}

/** An e-mail queue stand-in that records the notification ids handed to it, in order, and delivers nothing. */
export function recordingQueue(): { queue: Queue<unknown>; ids: string[] } {
  const ids: string[] = [];
  const take = (body: unknown) => ids.push((body as { notificationId: string }).notificationId);
  const queue = {
    send: async (body: unknown) => void take(body),
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      for (const m of messages) take(m.body);
    },
  } as unknown as Queue<unknown>;
  return { queue, ids };
}

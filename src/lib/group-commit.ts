/**
 * Group commit: items added while a write is running go together in the next write, so N items that
 * complete close together cost far fewer than N writes, and none waits for more than the write in
 * flight plus its own. Each `add` resolves only once the write that carried its item completed, and
 * rejects when that write failed (nothing is taken as stored before it is).
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let pending: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (pending.length) {
      const batch = pending;
      pending = [];
      try {
        await write(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    running = false;
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (!running) void drain();
    });
}

/**
 * Round-robin across tenants (SPEC §7.4): items of each key keep their order, and keys take turns,
 * so one tenant's many hand-overs in a batch do not all go before another tenant's single one.
 */
export function interleaveBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const lane = lanes.get(k);
    if (lane) lane.push(item);
    else lanes.set(k, [item]);
  }
  const out: T[] = [];
  const queues = [...lanes.values()];
  for (let round = 0; out.length < items.length; round++) {
    for (const q of queues) if (round < q.length) out.push(q[round]!);
  }
  return out;
}

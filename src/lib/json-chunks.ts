/**
 * Splits items into runs whose JSON array stays within `maxBytes` (UTF-8), for limits on one bound
 * value (D1: 2 MB) or one message. An item larger than the bound alone gets a run of its own. Pure.
 * Returns each run already serialised, ready to bind.
 */
export function splitByBytes(items: readonly unknown[], maxBytes: number): string[] {
  const encoder = new TextEncoder();
  const out: string[] = [];
  let run: string[] = [];
  let size = 2; // "[" and "]"
  for (const item of items) {
    const json = JSON.stringify(item);
    const bytes = encoder.encode(json).length + 1; // and a comma
    if (run.length && size + bytes > maxBytes) {
      out.push(`[${run.join(",")}]`);
      run = [];
      size = 2;
    }
    run.push(json);
    size += bytes;
  }
  if (run.length) out.push(`[${run.join(",")}]`);
  return out;
}

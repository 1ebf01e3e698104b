import { describe, expect, it } from "vitest";
import { groupCommit } from "../../src/lib/group-commit";

describe("groupCommit", () => {
  it("writes items added during a write together in the next write, each resolving after its own write", async () => {
    const writes: number[][] = [];
    let finish!: () => void;
    const add = groupCommit<number>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await new Promise<void>((r) => (finish = r));
    });
    const resolved: number[] = [];
    const first = add(1).then(() => resolved.push(1));
    const rest = [2, 3, 4].map((n) => add(n).then(() => resolved.push(n)));
    await Promise.resolve();
    expect(writes).toEqual([[1]]);
    expect(resolved).toEqual([]); // nothing counts as stored while its write runs
    finish();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
    expect(resolved).toEqual([1, 2, 3, 4]);
  });

  it("rejects only the items of a failed write, and keeps writing later ones", async () => {
    let calls = 0;
    const add = groupCommit<string>(async (items) => {
      calls++;
      if (items.includes("bad")) throw new Error("D1 down");
    });
    await expect(add("bad")).rejects.toThrow("D1 down");
    await expect(add("good")).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});

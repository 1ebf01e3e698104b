// The matcher's rule for what a subscription's object may take as already seen (issue 10 point 4).
import { describe, expect, it } from "vitest";
import { handOverPrev } from "../../src/delivery/matcher";
import type { CloudEvent } from "../../src/events/cloudevent";

const e = (type: string) => ({ type }) as CloudEvent;

describe("handOverPrev", () => {
  it("is the resource's previous event when that one is not in the batch", () => {
    expect(handOverPrev({ prev: 7 }, new Map(), () => true)).toBe(7);
  });
  it("steps back over events of the batch the subscription does not match", () => {
    const batch = new Map([
      [9, { prev: 8, event: e("other") }],
      [8, { prev: 3, event: e("other") }],
    ]);
    expect(handOverPrev({ prev: 9 }, batch, (ev) => ev.type === "mine")).toBe(3);
  });
  it("stops at an event of the batch the subscription matches", () => {
    const batch = new Map([
      [9, { prev: 8, event: e("other") }],
      [8, { prev: 3, event: e("mine") }],
    ]);
    expect(handOverPrev({ prev: 9 }, batch, (ev) => ev.type === "mine")).toBe(8);
  });
  it("is unknown when any step is unknown", () => {
    expect(handOverPrev({}, new Map(), () => true)).toBeUndefined();
    expect(handOverPrev({ prev: 9 }, new Map([[9, { event: e("other") }]]), () => false)).toBeUndefined();
  });
});

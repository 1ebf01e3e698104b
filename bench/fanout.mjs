// `npm run bench -- fanout`: one event to 1,000 subscriptions, publish -> last receipt, beside Node
// POSTing the same body to the same receiver 1,000 times at once, in interleaved pairs.
import { setting } from "./lib.mjs";
import { pushFigure } from "./push-lib.mjs";

export default () => {
  const subs = setting("BENCH_FANOUT_SUBS", 1000);
  return pushFigure({
    figure: `fan-out to ${subs}`,
    resourceId: "bench-fanout",
    subs,
    events: setting("BENCH_FANOUT_EVENTS", 1),
    warmup: 1,
    measure: "last",
    varselLabel: "Varsel last receipt",
    baselineLabel: `Node ${subs} POSTs last receipt`,
    goal: { of: "varsel", text: "≤ 2000 ms", test: (v) => v <= 2000 },
  });
};

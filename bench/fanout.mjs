// `npm run bench -- fanout`: one event to 1,000 subscriptions, publish -> last receipt, beside Node
// POSTing the same body to the same receiver 1,000 times at once, in interleaved pairs.
import { setting } from "./lib.mjs";
import { pushFigure } from "./push-lib.mjs";

export default () =>
  pushFigure({
    figure: "fan-out to 1,000",
    resourceId: "bench-fanout",
    subs: setting("BENCH_FANOUT_SUBS", 1000),
    events: setting("BENCH_FANOUT_EVENTS", 1),
    warmup: 1,
    measure: "last",
    varselLabel: "Varsel last receipt",
    baselineLabel: "Node POSTs last receipt",
    goal: { of: "varsel", text: "≤ 2000 ms", test: (v) => v <= 2000 },
  });

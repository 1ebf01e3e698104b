// `npm run bench -- push100`: p99 of each receipt of events pushed to 100 matching subscriptions, beside
// Node POSTing the same body to the same receiver 100 times at once, in interleaved pairs.
import { setting } from "./lib.mjs";
import { pushFigure } from "./push-lib.mjs";

export default () => {
  const subs = setting("BENCH_PUSH100_SUBS", 100);
  return pushFigure({
    figure: `push, ${subs} subscriptions`,
    resourceId: "bench-push-100",
    subs,
    events: setting("BENCH_PUSH100_EVENTS", 15),
    warmup: 2,
    measure: "each",
    varselLabel: "Varsel each-receipt p99",
    baselineLabel: `Node ${subs} POSTs p99`,
    goal: { of: "varsel", text: "≤ 250 ms", test: (v) => v <= 250 },
  });
};

// `npm run bench -- push`: publish -> receipt p99 with one subscription, minus the p99 of a direct
// loopback POST of the same body to the same receiver, in interleaved pairs (bench/push-lib.mjs).
import { setting } from "./lib.mjs";
import { pushFigure } from "./push-lib.mjs";

export default () =>
  pushFigure({
    figure: "push, 1 subscription",
    resourceId: "bench-push-1",
    subs: 1,
    events: setting("BENCH_PUSH_EVENTS", 60),
    warmup: 5,
    measure: "each",
    varselLabel: "Varsel publish→receipt p99",
    baselineLabel: "direct POST p99",
    goal: { of: "difference", text: "≤ 50 ms", test: (d) => d <= 50 },
  });

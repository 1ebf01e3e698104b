// kill -9 of `npm start` in the middle of an e-mail order's sending, then a restart on the same state:
// every address still gets its e-mail, at most the sends in flight are repeated, within a few minutes.
import { placeOrder, startSmtpSink, startVarselOn, stateDir, tally, until } from "../lib/email-harness.mjs";

const N = 600;
const KILL_AFTER = 200;
const SETTLE_LIMIT_MS = 300_000;

export default {
  name: "email-kill9",
  description: `order to ${N} addresses, kill -9 of npm start after ~${KILL_AFTER} were sent, restart`,
  async run() {
    const smtp = await startSmtpSink();
    const state = stateDir();
    const env = { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) };
    const addresses = Array.from({ length: N }, (_, i) => `kill9-${i}@example.com`);
    let varsel = await startVarselOn(state.dir, env);
    try {
      await placeOrder(varsel.base, addresses);
      if (!(await until(() => smtp.messages.length >= KILL_AFTER, 120_000)))
        throw new Error(`only ${smtp.messages.length} sent before the kill`);
      await varsel.kill9();
      const atKill = smtp.messages.length;
      varsel = await startVarselOn(state.dir, env, varsel.port);
      const restarted = Date.now();
      await until(() => tally(addresses, smtp.messages).missing === 0, SETTLE_LIMIT_MS);
      const settleMs = Date.now() - restarted;
      // A little longer: late duplicates would show now.
      await new Promise((r) => setTimeout(r, 5000));
      return {
        ...tally(addresses, smtp.messages),
        settleMs,
        notes: `${atKill} sent at the kill; settle counted from the restart`,
      };
    } finally {
      await varsel.stop();
      await smtp.close();
      state.remove();
    }
  },
};

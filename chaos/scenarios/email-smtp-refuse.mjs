// The SMTP server refuses connections for a while, then accepts: every e-mail arrives once it is back,
// none twice, and none waits for its TTL.
import { placeOrder, startSmtpSink, startVarselOn, stateDir, tally, until } from "../lib/email-harness.mjs";

const N = 200;
const DOWN_MS = 30_000;
const SETTLE_LIMIT_MS = 240_000;

export default {
  name: "email-smtp-refuse",
  description: `order to ${N} addresses while SMTP refuses connections for ${DOWN_MS / 1000} s, then accepts`,
  async run() {
    const smtp = await startSmtpSink();
    const state = stateDir();
    // A short retry schedule keeps the scenario bounded in time; the production default backs off longer.
    const env = { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port), EMAIL_RETRY_SCHEDULE: "5,10,20" };
    const addresses = Array.from({ length: N }, (_, i) => `refuse-${i}@example.com`);
    const varsel = await startVarselOn(state.dir, env);
    try {
      await smtp.down();
      await placeOrder(varsel.base, addresses);
      await new Promise((r) => setTimeout(r, DOWN_MS));
      const duringOutage = smtp.messages.length;
      await smtp.up();
      const back = Date.now();
      await until(() => tally(addresses, smtp.messages).missing === 0, SETTLE_LIMIT_MS);
      const settleMs = Date.now() - back;
      await new Promise((r) => setTimeout(r, 5000));
      return {
        ...tally(addresses, smtp.messages),
        settleMs,
        notes: `${duringOutage} delivered during the outage; settle counted from SMTP accepting again`,
      };
    } finally {
      await varsel.stop();
      await smtp.close();
      state.remove();
    }
  },
};

import { describe, expect, it } from "vitest";
import { postJson } from "../helpers/http";

describe("e-mail test routes", () => {
  it("do not exist unless VARSEL_TEST_ROUTES=true", async () => {
    const mail = { to: "a@b.no", from: "noreply@varsel.test", subject: "s", body: "b", idempotencyKey: "k" };
    expect((await postJson("/__test/email/send", { mails: [mail] })).status).toBe(404);
    expect((await postJson("/__test/email/webhook", {})).status).toBe(404);
  });
});

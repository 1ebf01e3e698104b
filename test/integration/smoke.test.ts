import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { call } from "../helpers/http";

describe("health", () => {
  it("answers 200 ok with storage and e-mail checked", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", checks: { storage: "ok", email: "ok" } });
  });

  it("answers 200 degraded with the reason when the e-mail provider is misconfigured", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ EMAIL_PROVIDER: "smtp", SMTP_HOST: "" }, /SMTP_HOST is not configured/],
      [{ EMAIL_PROVIDER: "smtp", SMTP_HOST: "smtp.example.com", SMTP_PORT: "25" }, /port 25|SMTP_PORT 25/i],
      [{ EMAIL_PROVIDER: "resend", EMAIL_API_KEY: "" }, /EMAIL_API_KEY is not configured/],
      [{ EMAIL_PROVIDER: "pigeon" }, /EMAIL_PROVIDER 'pigeon' is unknown/],
    ];
    for (const [vars, reason] of cases) {
      const res = await worker.fetch(
        new Request("http://varsel.test/health"),
        { ...env, ...vars },
        createExecutionContext(),
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; checks: { storage: string; email: string } };
      expect(body.status).toBe("degraded");
      expect(body.checks.storage).toBe("ok");
      expect(body.checks.email).toMatch(reason);
    }
  });
});

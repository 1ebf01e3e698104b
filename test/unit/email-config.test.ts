import { describe, expect, it } from "vitest";
import { emailConfigProblem, smtpConfig } from "../../src/email/config";
import type { Env } from "../../src/env";
import { splitByBytes } from "../../src/lib/json-chunks";
import { unknownReportAction } from "../../src/notifications/webhook-receipts";

const base = { EMAIL_FROM: "noreply@varsel.no" } as Env;

describe("e-mail configuration, validated at first use", () => {
  it("accepts the shipped default with a key, SMTP submission, and the local catcher on loopback", () => {
    expect(emailConfigProblem({ ...base, EMAIL_API_KEY: "re_x" })).toBeNull();
    expect(
      emailConfigProblem({ ...base, EMAIL_PROVIDER: "smtp", SMTP_HOST: "smtp.example.com", SMTP_PORT: "587" }),
    ).toBeNull();
    expect(emailConfigProblem({ ...base, EMAIL_PROVIDER: "smtp", SMTP_HOST: "127.0.0.1", SMTP_PORT: "25" })).toBeNull();
  });

  it("names what is wrong, never a secret's value", () => {
    expect(emailConfigProblem({ ...base })).toMatch(/EMAIL_API_KEY is not configured/);
    expect(emailConfigProblem({ ...base, EMAIL_PROVIDER: "smtp" })).toBe("SMTP_HOST is not configured.");
    expect(
      emailConfigProblem({ ...base, EMAIL_PROVIDER: "smtp", SMTP_HOST: "smtp.example.com", SMTP_PORT: "25" }),
    ).toMatch(/SMTP_PORT 25 is closed to Workers/);
    expect(emailConfigProblem({ ...base, EMAIL_PROVIDER: "smtp", SMTP_HOST: "h", SMTP_PORT: "x" })).toMatch(
      /not a port number/,
    );
    expect(emailConfigProblem({ ...base, EMAIL_PROVIDER: "carrier-pigeon" })).toMatch(/'carrier-pigeon' is unknown/);
    expect(emailConfigProblem({ ...base, EMAIL_FROM: "", EMAIL_API_KEY: "re_secret" })).toBe(
      "EMAIL_FROM is not an e-mail address.",
    );
    expect(emailConfigProblem({ ...base, EMAIL_API_KEY: "re_secret", EMAIL_API_URL: "ftp://x" })).not.toMatch(
      /re_secret/,
    );
  });

  it("sends the API key only over https, except to a loopback host (tests, local development)", () => {
    const key = { ...base, EMAIL_API_KEY: "re_secret" };
    expect(emailConfigProblem({ ...key, EMAIL_API_URL: "http://api.resend.com" })).toMatch(/must be https/);
    expect(emailConfigProblem({ ...key, EMAIL_API_URL: "http://mail.example.com:8080/" })).toMatch(/must be https/);
    expect(emailConfigProblem({ ...key, EMAIL_API_URL: "https://api.resend.com" })).toBeNull();
    expect(emailConfigProblem({ ...key, EMAIL_API_URL: "http://127.0.0.1:8025" })).toBeNull();
    expect(emailConfigProblem({ ...key, EMAIL_API_URL: "http://localhost:8025" })).toBeNull();
    expect(emailConfigProblem({ ...key, EMAIL_API_URL: "http://[::1]:8025" })).toBeNull();
  });

  it("defaults SMTP to submission on 587 with STARTTLS, and 465 to TLS from the first byte", () => {
    expect(smtpConfig({ ...base, SMTP_HOST: "smtp.example.com" })).toMatchObject({ port: 587, startTls: true });
    expect(smtpConfig({ ...base, SMTP_HOST: "smtp.example.com", SMTP_PORT: "465" })).toMatchObject({
      port: 465,
      implicitTls: true,
    });
    expect(smtpConfig({ ...base, SMTP_HOST: "127.0.0.1", SMTP_PORT: "1025" })).toMatchObject({ startTls: false });
  });
});

describe("splitting rows by bytes", () => {
  it("keeps every run's JSON within the bound (UTF-8 bytes) and loses nothing", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ i, name: "Ærlig Østlending Å".repeat(5) }));
    const runs = splitByBytes(rows, 10_000);
    for (const r of runs) expect(new TextEncoder().encode(r).length).toBeLessThanOrEqual(10_000);
    expect(runs.flatMap((r) => JSON.parse(r) as unknown[])).toEqual(rows);
  });
});

describe("a delivery report about an unknown e-mail", () => {
  const now = new Date("2027-01-01T12:00:00Z");
  it("is asked again for 10 minutes after its time, then dropped", () => {
    expect(unknownReportAction("2027-01-01T11:55:00Z", now)).toBe("retry");
    expect(unknownReportAction("2027-01-01T11:49:59Z", now)).toBe("drop");
    expect(unknownReportAction("not a time", now)).toBe("drop");
  });
});

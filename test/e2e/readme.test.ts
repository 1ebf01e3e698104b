// The README's quick-start examples, run verbatim with bash against `npm start` (only the port
// differs: the test's instance runs on a free port instead of 8787).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startVarsel, type Varsel } from "./harness";

let varsel: Varsel;
beforeAll(async () => {
  varsel = await startVarsel();
});
afterAll(async () => {
  await varsel?.stop();
});

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no '## ${heading}' section`);
  const end = markdown.indexOf("\n## ", start + 4);
  return markdown.slice(start, end < 0 ? undefined : end);
}

function shellBlocks(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe("README quick start", () => {
  it("works verbatim", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const script = shellBlocks(section(readme, "Quick start"))
      .join("\n")
      .replaceAll("localhost:8787", `localhost:${varsel.port}`);
    const out = execFileSync("bash", ["-euo", "pipefail", "-c", script], { cwd: ROOT, encoding: "utf8" });
    const lines = out.split("\n");
    expect(lines[0]).toBe("200");
    expect(out).toContain('"id":"9f3c1a52-1c1e-4f6f-9d62-2c3b5e8a1b01"');
    expect(out).toMatch(/^next: http:\/\/localhost:\d+\/events\/api\/v1\/events\?.*after=vc1\./m);
    expect(out).toMatch(/^"[0-9a-f-]{36}"$/m);
    expect(out).toContain('"resource":"urn:altinn:resource:app_ttd_apps-test"');
    expect(out).toContain('{"subject":"/user/1337","actions":["read","subscribe"]}');
  });
});

describe("README: Sending an SMS", () => {
  it("works verbatim: three SMS Delivered through the local SMS catcher", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const script = shellBlocks(section(readme, "Sending an SMS"))
      .join("\n")
      .replaceAll("localhost:8787", `localhost:${varsel.port}`);
    const out = execFileSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(out).toMatch(/^order [0-9a-f-]{36}$/m);
    const summary = JSON.parse(out.split("\n").find((l) => l.startsWith("{"))!) as {
      generated: number;
      notifications: { recipient: { mobileNumber: string }; sendStatus: { status: string } }[];
    };
    expect(summary.notifications.map((n) => [n.recipient.mobileNumber, n.sendStatus.status])).toEqual([
      ["+4740000001", "Delivered"],
      ["+4799999999", "Delivered"],
      ["+4791000001", "Delivered"],
    ]);
  });
});

describe("README: The current order API", () => {
  it("works verbatim: an order with a reminder, an instant SMS, a shipment followed to the end, the feed", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const script = shellBlocks(section(readme, "The current order API"))
      .join("\n")
      .replaceAll("localhost:8787", `localhost:${varsel.port}`);
    const out = execFileSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    const json = out
      .split("\n")
      .filter((l) => l.startsWith("{") || l.startsWith("["))
      .map((l) => JSON.parse(l));
    const [receipt, instant, shipment, feed] = json as any[];
    expect(receipt.notification).toMatchObject({
      sendersReference: "case-123",
      reminders: [{ sendersReference: "case-123-reminder" }],
    });
    expect(instant.notification.sendersReference).toBe("otp-4711");
    expect(shipment).toMatchObject({
      shipmentId: receipt.notification.shipmentId,
      type: "Notification",
      status: "Order_Completed",
      recipients: [{ type: "Email", destination: "kari.nordmann@example.no", status: "Email_Succeeded" }],
    });
    expect(feed.map((e: { shipmentId: string }) => e.shipmentId)).toEqual(
      expect.arrayContaining([
        instant.notification.shipmentId,
        receipt.notification.shipmentId,
        receipt.notification.reminders[0].shipmentId,
      ]),
    );
  });
});

describe("README: Order status as events", () => {
  it("works verbatim: subscribes, and reads the SMS order's accepted, completed and delivered events", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const script = shellBlocks(section(readme, "Order status as events"))
      .join("\n")
      .replaceAll("localhost:8787", `localhost:${varsel.port}`);
    const out = execFileSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 90_000,
    });
    const lines = out.split("\n");
    expect(lines[0]).toBe("201");
    const events = JSON.parse(lines.find((l) => l.startsWith("["))!) as { type: string; subject: string }[];
    expect(events.map((e) => e.type).sort()).toEqual([
      "no.varsel.notifications.shipment.completed",
      "no.varsel.notifications.sms.accepted",
      "no.varsel.notifications.sms.delivered",
    ]);
    expect(new Set(events.map((e) => e.subject)).size).toBe(1);
  });
});

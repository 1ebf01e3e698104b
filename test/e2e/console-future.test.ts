// The console's current-API orders in a real Chromium against `npm start` (issue 11 point 4): a form
// that sends an order with a reminder (a 400 shown on its field first), the shipment view with its
// recipient reaching a final status through the mail catcher and the order chain with the reminder,
// whose SMS reaches Delivered through the SMS catcher; axe, 375 px, screenshots; keyboard only.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, checkPage, goTo, hasChromium, launch, signInDev, tabTo, waitUntil } from "./console-browser";
import { ROOT, startVarsel, type Varsel } from "./harness";

const KEEP_SHOTS = process.env.CONSOLE_SCREENSHOTS === "1";
let SHOTS = join(ROOT, "docs", "screenshots");
let varsel: Varsel;
let browser: Browser;

const rowsOf = (page: Page, testId: string) => page.getByTestId(testId).allTextContents();

describe("console: current-API orders in Chromium", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    if (!hasChromium)
      throw new Error("The console's browser tests need Chromium: apt-get install chromium (or set CHROMIUM_PATH).");
    if (KEEP_SHOTS) mkdirSync(SHOTS, { recursive: true });
    else SHOTS = mkdtempSync(join(tmpdir(), "varsel-shots-"));
    varsel = await startVarsel();
    browser = await launch();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await varsel?.stop();
    if (!KEEP_SHOTS) rmSync(SHOTS, { recursive: true, force: true });
  });

  it("sends an order with a reminder, shows a 400 on its field, and follows both shipments to a final status", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const page = await browser.newPage();
    await signInDev(page, varsel.base);
    await goTo(page, varsel.base, "orders", "Notification orders");
    await page.getByLabel("Channel").selectOption("future");
    const idempotency = await page.getByLabel(/^Idempotency id/).inputValue();
    expect(idempotency).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);

    const address = page.getByLabel("E-mail address", { exact: true });
    await address.fill("not-an-address");
    await page.getByLabel("E-mail subject").fill(`Sak ${tag}`);
    await page.getByLabel("Sender's reference (optional)").first().fill(`console-${tag}`);
    await page.getByRole("button", { name: "Add reminder" }).click();
    const reminder = page.getByRole("group", { name: "Reminder 1" });
    await reminder.getByLabel("Sent").selectOption("requestedSendTime");
    await reminder.getByLabel(/^Send time/).fill(new Date(Date.now() + 30_000).toISOString());
    await reminder.getByLabel("Recipient").selectOption("sms");
    await reminder.getByLabel(/^Mobile number/).fill("+4740000003");
    await reminder.getByLabel("SMS text").fill(`Påminnelse ${tag}`);
    await reminder.getByLabel("SMS sending time policy").selectOption("Anytime");
    await reminder.getByLabel("Sender's reference (optional)").fill(`console-${tag}-reminder`);

    // The wrong address: the API's 400 lands on the address field, and goes when it is changed.
    await page.getByRole("button", { name: "Send order with the current API" }).click();
    await page.getByText("Invalid email address format.").waitFor();
    expect(await address.getAttribute("aria-invalid")).toBe("true");
    await page
      .getByRole("alert")
      .getByText(/The fields concerned say what is wrong/)
      .waitFor();
    await checkPage(page, SHOTS, "order-current-form", {
      narrowFrom: page.getByRole("heading", { level: 2, name: "Send a new order" }),
    });
    await address.fill(`console-${tag}@example.no`);
    await page.getByText("Invalid email address format.").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Send order with the current API" }).click();
    const accepted = page.getByRole("status").filter({ hasText: "Order accepted: shipment" });
    await accepted.getByText("with 1 reminder").waitFor();
    const mainId = (await accepted.getByRole("link").textContent())!;

    // The list shows both shipments as current-API ones, linking to the shipment view.
    const row = (id: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name: id }) });
    await row(mainId).getByRole("cell", { name: "Current API · Email", exact: true }).waitFor();
    await page.getByRole("cell", { name: "Current API · Sms · reminder", exact: true }).first().waitFor();

    await accepted.getByRole("link", { name: mainId }).click();
    await page.getByRole("heading", { level: 1, name: `Shipment ${mainId}` }).waitFor();
    await waitUntil(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      const rows = await rowsOf(page, "shipment-recipient");
      return (
        rows.length === 1 && /Succeeded|Delivered/.test(rows[0]!) && rows[0]!.includes(`console-${tag}@example.no`)
      );
    }, "the main shipment's e-mail to be sent");
    await page.getByText("The email has been accepted by the third party email service", { exact: false }).waitFor();
    // The chain is read after the shipment: wait for it rather than reading at once.
    const chain = await waitUntil(async () => {
      const rows = await rowsOf(page, "chain-shipment");
      return rows.length === 2 ? rows : null;
    }, "the order chain");
    expect(chain[0]).toContain("(this one)");
    expect(chain[1]).toMatch(/Reminder.*Sms/);
    expect(chain[1]).toContain(`console-${tag}-reminder`);
    await checkPage(page, SHOTS, "shipment", {
      narrowFrom: page.getByRole("heading", { level: 2, name: "Recipients" }),
    });

    // The reminder, through its link in the chain: its SMS reaches Delivered via the SMS catcher.
    await page.getByTestId("chain-shipment").nth(1).getByRole("link").click();
    await page.getByRole("heading", { level: 1, name: /^Shipment / }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).not.toContain(mainId);
    await waitUntil(
      async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        const rows = await rowsOf(page, "shipment-recipient");
        return rows.length === 1 && rows[0]!.includes("Delivered") && rows[0]!.includes("+4740000003");
      },
      "the reminder's SMS to be Delivered",
      150_000,
    );
    await page.getByRole("link", { name: mainId }).waitFor();
    // The v1 order view of a shipment points to the shipment view.
    await goTo(page, varsel.base, `orders/${mainId}`, `Order ${mainId}`);
    await page.getByRole("link", { name: "open it as a shipment" }).click();
    await page.getByRole("heading", { level: 1, name: `Shipment ${mainId}` }).waitFor();
    expect(browser.problems).toEqual([]);
  });

  it("sends a current-API order and cancels it; the form works with the keyboard alone", async () => {
    const page = await browser.newPage();
    await signInDev(page, varsel.base);
    await goTo(page, varsel.base, "orders", "Notification orders");
    await page.locator("body").focus();
    await tabTo(page, /\bChannel$/, 120);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.getByLabel(/^Idempotency id/).waitFor();
    await tabTo(page, /Requested send time/);
    await page.keyboard.type(new Date(Date.now() + 86_400_000).toISOString());
    await tabTo(page, /E-mail address$/);
    await page.keyboard.type("keyboard@example.no");
    await tabTo(page, /^Add reminder/);
    await page.keyboard.press("Enter");
    await page.getByRole("group", { name: "Reminder 1" }).waitFor();
    await tabTo(page, /Delay \(days, at least 1\)/);
    await page.keyboard.press("End");
    await page.keyboard.type("2");
    await tabTo(page, /^Send order with the current API/, 60);
    await page.keyboard.press("Enter");
    const accepted = page.getByRole("status").filter({ hasText: "Order accepted: shipment" });
    await accepted.getByText("with 1 reminder").waitFor();

    // Due tomorrow, so v1's cancel (which takes a shipment id) still applies.
    await accepted.getByRole("link").click();
    await page.getByRole("heading", { level: 1, name: /^Shipment / }).waitFor();
    const chain = await waitUntil(async () => {
      const rows = await rowsOf(page, "chain-shipment");
      return rows.length === 2 ? rows : null;
    }, "the order chain");
    expect(chain[1]).toMatch(/Reminder/);
    await page.getByRole("button", { name: "Cancel shipment" }).click();
    await page.getByText("The shipment is cancelled.").waitFor();
    await page.getByText("Cancelled", { exact: true }).first().waitFor();
    await page.getByText("No notifications generated yet", { exact: false }).waitFor();
    expect(browser.problems).toEqual([]);
  });
});

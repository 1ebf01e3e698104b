// Playwright driving Debian's Chromium (playwright-core + executablePath) for the console tests:
// a fresh profile per browser, the flags that keep it off the network, an axe scan helper.
import AxeBuilder from "@axe-core/playwright";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  /** Content-Security-Policy violations and page errors seen so far, in any tab. */
  problems: string[];
  /** Every URL any tab requested, to check that no token ever travels in one. */
  urls: string[];
  newPage: (width?: number) => Promise<Page>;
  close: () => Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "varsel-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 900 },
  });
  const problems: string[] = [];
  const urls: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
    page.on("request", (r) => urls.push(r.url()));
  };
  context.on("page", watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    problems,
    urls,
    newPage: async (width = 1440) => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      return page;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Serious and critical axe violations on the page as it is now (WCAG 2.1 A and AA rules). */
export async function seriousViolations(page: Page, skipRules: string[] = []): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  if (skipRules.length) builder = builder.disableRules(skipRules);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
    );
}

/**
 * The violations of a page that has stopped changing. A page still rendering (Scalar builds /docs
 * section by section and fades parts in) can show half-drawn states to axe: a colour mid-fade fails
 * contrast, a list being rebuilt nests controls for a moment. Scans until two scans in a row agree
 * (at most four, a second apart) and returns the last: a real violation is in every scan, so it is
 * never hidden; only states that did not last are.
 */
export async function settledViolations(page: Page, skipRules: string[] = []): Promise<string[]> {
  let last = await seriousViolations(page, skipRules);
  for (let i = 0; i < 3 && last.length; i++) {
    await page.waitForTimeout(1000);
    const next = await seriousViolations(page, skipRules);
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  return last;
}

export async function waitUntil<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The dev sign-in of `npm start` (org ttd). */
export async function signInDev(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole("button", { name: "Dev sign-in" }).click();
  await page.getByText("Signed in as org ttd").waitFor();
}

/** Opens a console route and waits for its heading. */
export async function goTo(page: Page, base: string, hash: string, heading: string): Promise<void> {
  await page.goto(`${base}/#/${hash}`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/** Axe finds nothing serious, nothing overflows sideways at 375 px, and both widths are saved into `dir`. */
export async function checkPage(
  page: Page,
  dir: string,
  name: string,
  o: {
    skipRules?: string[];
    fullPage?: boolean;
    slackPx?: number;
    /** At 375 px the shot shows the screen from here down (what the page is about), not its top. */
    narrowFrom?: Locator;
  } = {},
): Promise<void> {
  expect(await settledViolations(page, o.skipRules ?? []), `axe on ${name}`).toEqual([]);
  for (const width of [1440, 375]) {
    await page.setViewportSize({ width, height: 900 });
    const [overflow, widest] = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > w + 1);
      const last = wide.at(-1);
      return [
        document.documentElement.scrollWidth - w,
        last ? `${last.tagName}.${last.className} ${last.textContent?.slice(0, 60)}` : "",
      ];
    });
    expect(overflow, `${name} at ${width} px scrolls sideways (${widest})`).toBeLessThanOrEqual(o.slackPx ?? 0);
    if (o.narrowFrom && width === 375) await o.narrowFrom.evaluate((e) => e.scrollIntoView({ block: "start" }));
    await page.screenshot({
      path: join(dir, `${name}-${width}.png`),
      fullPage: (o.fullPage ?? true) && width === 1440,
    });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Presses Tab until the focused element's text or label matches `name` (at most `max` times). */
export async function tabTo(page: Page, name: RegExp, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el
        ? `${el.textContent ?? ""} ${el.getAttribute("aria-label") ?? ""} ${(el as HTMLInputElement).labels?.[0]?.textContent ?? ""}`
        : "";
    });
    if (name.test(label)) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

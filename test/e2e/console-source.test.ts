// The console's sources never turn data into markup or into a link: React escapes text, so the only
// ways in are raw HTML, DOM writes, eval-like calls and links built from data (`javascript:` URLs).
// A static check in Node (no server): a new view that does one of these fails here.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const FILES = sources(join(ROOT, "console", "src")).map((f) => ({ f, text: readFileSync(f, "utf8") }));

describe("console sources", () => {
  it("are found", () => {
    expect(FILES.length).toBeGreaterThan(10);
  });

  it("render no raw HTML and write nothing into the DOM themselves", () => {
    const raw =
      /dangerouslySetInnerHTML|\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/;
    expect(FILES.filter((s) => raw.test(s.text)).map((s) => s.f)).toEqual([]);
  });

  it("build every link from a literal or from href() (encoded hash routes), never from data", () => {
    const bad: string[] = [];
    for (const { f, text } of FILES)
      for (const m of text.matchAll(/\b(?:href|src|action)=\{([^}]*)\}/g))
        if (!/^href\(/.test(m[1]!.trim())) bad.push(`${f}: ${m[0]}`);
    expect(bad).toEqual([]);
  });

  it("keep the token out of local storage, cookies and URLs", () => {
    const leaks = /localStorage|document\.cookie|new EventSource|[?&](?:token|access_token)=/;
    expect(FILES.filter((s) => leaks.test(s.text)).map((s) => s.f)).toEqual([]);
  });
});

// /docs: Scalar's API reference rendered from /openapi.json. The standalone bundle is served from
// the console's own assets (no CDN); this file only starts it, so the page needs no inline script.
declare global {
  interface Window {
    Scalar?: { createApiReference: (el: string | Element, config: Record<string, unknown>) => unknown };
  }
}

const target = document.getElementById("reference");
if (window.Scalar && target) {
  window.Scalar.createApiReference(target, {
    url: "/openapi.json",
    // Nothing from other hosts: no web fonts, no registry search, no telemetry, no request proxy.
    withDefaultFonts: false,
    // System fonts, and greys and method colours dark enough for WCAG AA contrast on white.
    customCss: [
      ":root { --scalar-font: system-ui, sans-serif; --scalar-font-code: ui-monospace, monospace; }",
      ".light-mode.light-mode, .light-mode .light-mode { --scalar-color-2: #3b3b3b; --scalar-color-3: #555; --scalar-color-blue: #0a5bb5;",
      "  --scalar-color-green: #1a6b2f; --scalar-color-orange: #8a4b00; --scalar-color-red: #b3261e; --scalar-color-purple: #6a3fb0; }",
      // Scalar's toast list is wider than a 375 px screen even when empty: shown only with a toast in it.
      ".scalar-toaster:not(:has(li)) { display: none !important; }",
    ].join("\n"),
    agent: { disabled: true },
    hideClientButton: true,
    telemetry: false,
    defaultOpenAllTags: true,
    showToolbar: "never",
  });
}
export {};

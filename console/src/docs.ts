// /docs: Scalar's API reference rendered from /openapi.json. The standalone bundle is served from
// the console's own assets (no CDN); this file only starts it, so the page needs no inline script.
declare global {
  interface Window {
    Scalar?: { createApiReference: (el: string | Element, config: Record<string, unknown>) => unknown };
  }
}

const target = document.getElementById("api-reference");
if (window.Scalar && target) {
  window.Scalar.createApiReference(target, {
    url: "/openapi.json",
    withDefaultFonts: false,
    hideClientButton: true,
    telemetry: false,
    proxyUrl: undefined,
  });
}
export {};

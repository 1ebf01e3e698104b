// The console's build (SPEC §8): React + Designsystemet, built into console/dist, which wrangler.toml
// serves as Workers static assets. Two pages: the console (index.html) and the API reference (docs.html).
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("."),
  base: "/",
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: here("./dist"),
    emptyOutDir: true,
    // No inline scripts or data: modules anywhere: the Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: here("./index.html"), docs: here("./docs.html") } },
  },
});

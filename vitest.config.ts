import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { exportJWK, generateKeyPair } from "jose";
import { defineConfig } from "vitest/config";
// @ts-expect-error: plain ESM script without types
import { buildConsole } from "./scripts/build-console.mjs";

/**
 * Two projects. "workers": unit and integration tests inside workerd through Cloudflare's vitest
 * plugin, with real D1, Queues and Durable Objects from wrangler.toml. "e2e": Node tests that run
 * `npm start` (wrangler dev) and talk to it over HTTP with real receivers and SMTP servers.
 */
export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the Workers project reads the config.
  await buildConsole();
  // A throwaway key pair per run: the Worker trusts the public half, tests sign with the private half.
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `test-${Date.now()}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
  const migrations = await readD1Migrations("migrations");

  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  AUTH_JWKS: JSON.stringify(jwks),
                  AUTH_ISSUERS: "https://varsel.test/issuer",
                  // Every org's Platform Access Tokens verify with the test key (SPEC §2 allows this locally).
                  PLATFORM_JWKS: JSON.stringify({ "*": jwks }),
                  ALLOW_INSECURE_ENDPOINTS: "true",
                  // SMS tests run at any hour; the Daytime rule itself has unit tests.
                  SMS_DAYTIME: "00-24",
                  SMS_REPORT_USER: "gateway",
                  SMS_REPORT_PASSWORD: "report-secret",
                  // E-mail to a loopback port where nothing listens: every send is a transient refusal.
                  EMAIL_PROVIDER: "smtp",
                  SMTP_HOST: "127.0.0.1",
                  SMTP_PORT: "1",
                  TEST_PRIVATE_JWK: JSON.stringify(privateJwk),
                  TEST_MIGRATIONS: migrations,
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            fileParallelism: false,
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});

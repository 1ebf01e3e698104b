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
                  // A valid e-mail configuration; nothing sends in the background (no e-mail consumer below).
                  EMAIL_PROVIDER: "resend",
                  EMAIL_API_KEY: "re_test",
                  EMAIL_API_URL: "http://127.0.0.1:1",
                  TEST_PRIVATE_JWK: JSON.stringify(privateJwk),
                  TEST_MIGRATIONS: migrations,
                  // Which event log the Worker uses (docs/event-log.md): the partitioned log by default;
                  // VARSEL_EVENT_LOG=d1 runs the suite against the D1 log.
                  EVENT_LOG: process.env.VARSEL_EVENT_LOG ?? "objects",
                },
                // E-mails go to a queue nobody consumes here: e-mail tests drive the consumer themselves.
                // A background consumer would race them, and its sends to loopback from workerd after a
                // test file ended keep the test runner from finishing.
                // SMS likewise: SMS tests drive the SMS consumer with their own gateway.
                queueProducers: {
                  EMAIL_QUEUE: { queueName: "varsel-email-unconsumed" },
                  SMS_QUEUE: { queueName: "varsel-sms-unconsumed" },
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

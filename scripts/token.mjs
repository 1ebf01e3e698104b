// npm run --silent token -- [--org ttd] [--org-number 991825827] [--user 1337 --party 50001337]
//   [--scope "a b"] [--expires-in SECONDS] | --platform --org ttd --app apps-test
// Prints one token on stdout, signed with the local development key that `npm start` trusts.
import { parseArgs } from "node:util";
import { devKeys, mintToken } from "./lib/devkeys.mjs";

// parseArgs refuses an option value that starts with "-"; SPEC §2 writes `--expires-in -60`.
const args = process.argv
  .slice(2)
  .flatMap((a, i, all) =>
    all[i - 1] === "--expires-in" && /^-\d/.test(a)
      ? []
      : a === "--expires-in" && /^-\d/.test(all[i + 1] ?? "")
        ? [`--expires-in=${all[i + 1]}`]
        : [a],
  );
const { values } = parseArgs({
  args,
  options: {
    org: { type: "string" },
    "org-number": { type: "string" },
    user: { type: "string" },
    party: { type: "string" },
    scope: { type: "string" },
    platform: { type: "boolean", default: false },
    app: { type: "string" },
    "expires-in": { type: "string", default: "3600" },
  },
});

if (values.platform && (!values.org || !values.app)) {
  console.error("--platform needs --org and --app");
  process.exit(2);
}
const expiresIn = Number(values["expires-in"]);
if (!Number.isFinite(expiresIn)) {
  console.error("--expires-in takes a number of seconds");
  process.exit(2);
}
const token = await mintToken(await devKeys(), {
  kind: values.platform ? "platform" : "altinn",
  org: values.org,
  orgNumber: values["org-number"],
  user: values.user,
  party: values.party,
  scope: values.scope,
  app: values.app,
  expiresIn,
});
process.stdout.write(token + "\n");

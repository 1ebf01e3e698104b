import { Button, Card, Checkbox, Fieldset, Heading, Paragraph, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useEffect, useState } from "react";
import { call, type Problem } from "../api";
import { setToken } from "../session";
import { ProblemAlert } from "../ui";

const SCOPES = [
  "altinn:events.publish",
  "altinn:events.subscribe",
  "altinn:serviceowner/notifications.create",
  "varsel:admin",
];

/** Sign-in with a bearer token; locally also the dev sign-in, when the server offers it. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setTokenText] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [dev, setDev] = useState(false);
  const [org, setOrg] = useState("ttd");
  const [user, setUser] = useState("");
  const [scopes, setScopes] = useState<string[]>(SCOPES);

  useEffect(() => {
    void call<{ devSignIn: boolean }>("/console/api/config").then((r) => setDev(Boolean(r.ok && r.body?.devSignIn)));
  }, []);

  const withToken = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    if (!token.trim()) return setProblem({ title: "A token is required", detail: "Paste a bearer token (a JWT)." });
    setToken(token);
    onSignedIn();
  };

  const devSignIn = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const r = await call<{ token: string }>("/console/api/dev-token", {
      method: "POST",
      json: { ...(org ? { org } : {}), ...(user ? { user, party: `5000${user}` } : {}), scopes },
    });
    if (!r.ok) return setProblem(r.problem);
    setToken(r.body.token);
    onSignedIn();
  };

  return (
    <main id="main" className="signin">
      <Heading level={1} data-size="lg">
        Varsel console
      </Heading>
      <Paragraph>
        Events, subscriptions and notifications. Sign in with a bearer token; it is kept in this tab only.
      </Paragraph>
      <ProblemAlert problem={problem} />
      <Card>
        <form onSubmit={withToken} className="stack">
          <Heading level={2} data-size="sm">
            Sign in with a token
          </Heading>
          <Textfield
            label="Bearer token"
            multiline
            rows={3}
            value={token}
            onChange={(e) => setTokenText(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
          <Button type="submit">Sign in</Button>
        </form>
      </Card>
      {dev && (
        <Card data-color="brand2">
          <form onSubmit={devSignIn} aria-labelledby="dev-signin-heading" className="stack">
            <Heading level={2} data-size="sm" id="dev-signin-heading">
              Dev sign-in (local development only)
            </Heading>
            <Paragraph data-size="sm">Mints a one-hour token with this machine's development key.</Paragraph>
            <Textfield label="Org code" value={org} onChange={(e) => setOrg(e.target.value)} />
            <Textfield
              label="User id (optional)"
              value={user}
              onChange={(e) => setUser(e.target.value)}
              inputMode="numeric"
            />
            <Fieldset>
              <Fieldset.Legend>Scopes</Fieldset.Legend>
              {SCOPES.map((s) => (
                <Checkbox
                  key={s}
                  label={s}
                  value={s}
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                />
              ))}
            </Fieldset>
            <Button type="submit">Dev sign-in</Button>
          </form>
        </Card>
      )}
    </main>
  );
}

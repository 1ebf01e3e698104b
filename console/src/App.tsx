import { Button, Link, Paragraph, SkipLink } from "@digdir/designsystemet-react";
import { useState } from "react";
import { href, useRoute } from "./route";
import { claimsOf, clearToken, getToken } from "./session";
import { Contacts } from "./views/Contacts";
import { Events } from "./views/Events";
import { Health } from "./views/Health";
import { OrderDetail } from "./views/OrderDetail";
import { Orders } from "./views/Orders";
import { Resources } from "./views/Resources";
import { Shipment } from "./views/Shipment";
import { SignIn } from "./views/SignIn";
import { SubscriptionDetail } from "./views/SubscriptionDetail";
import { Subscriptions } from "./views/Subscriptions";

const NAV: { path: string; label: string; admin?: boolean }[] = [
  { path: "subscriptions", label: "Subscriptions" },
  { path: "events", label: "Events" },
  { path: "orders", label: "Orders" },
  { path: "resources", label: "Resources", admin: true },
  { path: "contacts", label: "Contacts", admin: true },
  { path: "health", label: "Health" },
];

function View({ route }: { route: string[] }) {
  const [first, id] = route;
  switch (first) {
    case "subscriptions":
      return id ? <SubscriptionDetail id={id} /> : <Subscriptions />;
    case "events":
      return <Events />;
    case "orders":
      return id ? <OrderDetail id={id} /> : <Orders />;
    case "shipments":
      return id ? <Shipment id={id} /> : <Orders />;
    case "resources":
      return <Resources selected={id} />;
    case "contacts":
      return <Contacts />;
    case "health":
      return <Health />;
    default:
      return <Subscriptions />;
  }
}

export function App() {
  const [token, setTokenState] = useState(getToken);
  const route = useRoute();
  if (!token) return <SignIn onSignedIn={() => setTokenState(getToken())} />;
  const claims = claimsOf(token);
  const who = claims?.org
    ? `org ${claims.org}`
    : claims?.user
      ? `user ${claims.user}`
      : claims?.orgNumber
        ? `organisation ${claims.orgNumber}`
        : "unknown caller";
  const current = route[0] === "shipments" ? "orders" : (route[0] ?? "subscriptions");
  const signOut = () => {
    clearToken();
    setTokenState(null);
  };
  return (
    <div className="layout">
      <SkipLink href="#main">Skip to main content</SkipLink>
      <header className="topbar">
        <a className="brand" href={href("subscriptions")}>
          Varsel
        </a>
        <Paragraph data-size="sm" className="who">
          Signed in as {who}
          {claims?.scopes.length ? ` · ${claims.scopes.join(", ")}` : " · no scopes"}
        </Paragraph>
        <Button variant="secondary" data-size="sm" onClick={signOut}>
          Sign out
        </Button>
      </header>
      <nav aria-label="Console sections" className="sections">
        <ul>
          {NAV.filter((n) => !n.admin || claims?.scopes.includes("varsel:admin")).map((n) => (
            <li key={n.path}>
              <Link href={href(n.path)} aria-current={current === n.path ? "page" : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
          <li>
            <Link href="/docs">API reference</Link>
          </li>
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </div>
  );
}

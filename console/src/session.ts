// The bearer token lives in this tab's session storage only: never in a URL, a cookie or local storage.
const KEY = "varsel.token";

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}

export interface Claims {
  org?: string;
  user?: string;
  party?: string;
  orgNumber?: string;
  scopes: string[];
  exp?: number;
}

/** What the token says about its holder, for display only: the API decides what it may do. */
export function claimsOf(token: string): Claims | null {
  try {
    const part = token.split(".")[1];
    if (!part) return null;
    const text = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const c = JSON.parse(text) as Record<string, unknown>;
    const scope = [c.scope, c["urn:altinn:scope"]].filter((s): s is string => typeof s === "string").join(" ");
    const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
    return {
      org: str(c["urn:altinn:org"]),
      user: str(c["urn:altinn:userid"]),
      party: str(c["urn:altinn:partyid"]),
      orgNumber: str(c["urn:altinn:orgNumber"]),
      scopes: scope.split(/\s+/).filter(Boolean),
      exp: typeof c.exp === "number" ? c.exp : undefined,
    };
  } catch {
    return null;
  }
}

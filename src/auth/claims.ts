import type { JWTPayload } from "jose";
import { APP_NAME, ORG_CODE } from "../resources/ids";

/** Who is calling, derived from a verified Altinn token (SPEC §2). Pure: no I/O. */
export interface Caller {
  /** `/org/{org}`, `/user/{userid}` or `/organisation/{orgNumber}`; null when the token names none. */
  principal: string | null;
  org?: string;
  orgNumber?: string;
  userId?: string;
  partyId?: string;
  scopes: ReadonlySet<string>;
}

export { APP_NAME, ORG_CODE } from "../resources/ids";

/** An Altinn app proven by a Platform Access Token. */
export interface AppIdentity {
  org: string;
  app: string;
}

function claimString(claims: JWTPayload, name: string): string | undefined {
  const v = claims[name];
  if (typeof v === "string" && v.length > 0) return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

export function scopesFrom(claims: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const name of ["scope", "urn:altinn:scope"]) {
    const v = claims[name];
    const parts = Array.isArray(v) ? v : typeof v === "string" ? v.split(" ") : [];
    for (const p of parts) if (typeof p === "string" && p) scopes.add(p);
  }
  return scopes;
}

export function callerFrom(claims: JWTPayload): Caller {
  const org = claimString(claims, "urn:altinn:org");
  const orgNumber = claimString(claims, "urn:altinn:orgNumber");
  const userId = claimString(claims, "urn:altinn:userid");
  const partyId = claimString(claims, "urn:altinn:partyid");
  const validOrgNumber = orgNumber && /^\d{9}$/.test(orgNumber) ? orgNumber : undefined;
  const principal = org
    ? `/org/${org}`
    : userId
      ? `/user/${userId}`
      : validOrgNumber
        ? `/organisation/${validOrgNumber}`
        : null;
  return {
    principal,
    ...(org ? { org } : {}),
    ...(validOrgNumber ? { orgNumber: validOrgNumber } : {}),
    ...(userId ? { userId } : {}),
    ...(partyId ? { partyId } : {}),
    scopes: scopesFrom(claims),
  };
}

/** A Platform Access Token names its org in `iss` and its app in `urn:altinn:app`. */
export function appIdentityFrom(claims: JWTPayload): AppIdentity | null {
  const org = claims.iss;
  const app = claimString(claims, "urn:altinn:app");
  if (!org || !ORG_CODE.test(org) || !app || !APP_NAME.test(app)) return null;
  return { org, app };
}

/** All the identities a caller acts as, for matching policy grants: principal plus `/party/{id}`. */
export function subjectsOf(caller: Caller): string[] {
  const out: string[] = [];
  if (caller.org) out.push(`/org/${caller.org}`);
  if (caller.userId) out.push(`/user/${caller.userId}`);
  if (caller.orgNumber) out.push(`/organisation/${caller.orgNumber}`);
  if (caller.partyId) out.push(`/party/${caller.partyId}`);
  return out;
}

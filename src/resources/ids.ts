/**
 * The one family of identifier patterns (SPEC §3, §4.1, §5.1): org codes, app names, resource ids and
 * URNs, and the implicit app resource `app_{org}_{app}`. Every other pattern is built from these, so
 * they cannot disagree (an app name never holds `_`, so `app_{org}_{app}` splits one way only).
 */
const ORG = "[a-z0-9][a-z0-9-]{0,63}";
const APP = "[a-z0-9][a-z0-9-]{0,99}";
const ID = "[a-z0-9][a-z0-9._-]{0,199}";

export const RESOURCE_PREFIX = "urn:altinn:resource:";
/** An Altinn org code (`ttd`), as tokens, resources and app paths name it. */
export const ORG_CODE = new RegExp(`^${ORG}$`);
/** An Altinn app name, the `{app}` of `{org}/{app}`. */
export const APP_NAME = new RegExp(`^${APP}$`);
/** A resource id: the part after `urn:altinn:resource:`. */
export const RESOURCE_ID = new RegExp(`^${ID}$`);
/** `urn:altinn:resource:{id}`. */
export const RESOURCE_URN = new RegExp(`^urn:altinn:resource:${ID}$`);
/** `app_{org}_{app}`, capturing org and app. */
export const APP_RESOURCE_ID = new RegExp(`^app_(${ORG})_(${APP})$`);
/** `notifications_{org}`, capturing org: the implicit resource of an org's order status events (SPEC §5.6). */
export const NOTIFICATIONS_RESOURCE_ID = new RegExp(`^notifications_(${ORG})$`);
/** An order's `resourceId`: a resource URN, or an app resource's bare id (SPEC §5.1). */
export const ORDER_RESOURCE_ID = new RegExp(`^(urn:altinn:resource:${ID}|app_${ORG}_${APP})$`);
/** `https://{host}/{org}/{app}` and anything below it: an app's source filter (no `%` in org or app). */
export const APP_SOURCE_FILTER = new RegExp(`^https://[^/%]+/(${ORG})/(${APP})(/.*)?$`);

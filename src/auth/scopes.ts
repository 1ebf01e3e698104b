/** Every scope Varsel checks (SPEC §2), in one place. */
export const PUBLISH_SCOPE = "altinn:events.publish";
export const SUBSCRIBE_SCOPE = "altinn:events.subscribe";
export const NOTIFICATIONS_SCOPE = "altinn:serviceowner/notifications.create";
export const ADMIN_SCOPE = "varsel:admin";

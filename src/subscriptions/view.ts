import type { SubscriptionRow } from "./table";

/** The subscription as the API shows it (SPEC §4.4). The secret only when `withSecret` (first creation). */
export function subscriptionView(row: SubscriptionRow, withSecret = false): Record<string, unknown> {
  return {
    id: row.id,
    endPoint: row.endPoint,
    sourceFilter: row.sourceFilter,
    resourceFilter: row.resourceFilter,
    subjectFilter: row.subjectFilter,
    alternativeSubjectFilter: row.alternativeSubjectFilter,
    typeFilter: row.typeFilter,
    consumer: row.consumer,
    createdBy: row.createdBy,
    created: row.created,
    validated: row.validated,
    ...(row.disabled ? { disabled: true, disabledReason: row.disabledReason } : {}),
    ...(withSecret ? { secret: row.secret } : {}),
  };
}

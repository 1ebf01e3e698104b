import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const subscriptions = sqliteTable("subscriptions", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  endPoint: text("end_point").notNull(),
  sourceFilter: text("source_filter"),
  resourceFilter: text("resource_filter").notNull(),
  subjectFilter: text("subject_filter"),
  alternativeSubjectFilter: text("alternative_subject_filter"),
  typeFilter: text("type_filter"),
  consumer: text("consumer").notNull(),
  consumerParty: text("consumer_party"),
  createdBy: text("created_by").notNull(),
  created: text("created").notNull(),
  validated: integer("validated", { mode: "boolean" }).notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull(),
  disabledReason: text("disabled_reason"),
  secret: text("secret").notNull(),
});

/** The matcher's cache generation per resource (migration 0006): bumped on create, delete, disable. */
export const subscriptionResourceGenerations = sqliteTable("subscription_resource_generations", {
  resource: text("resource").primaryKey(),
  gen: integer("gen").notNull(),
});

export type SubscriptionRow = typeof subscriptions.$inferSelect;

import { sqliteTable, text } from "drizzle-orm/sqlite-core";

export const resources = sqliteTable("resources", {
  id: text("id").primaryKey(),
  owner: text("owner").notNull(),
  title: text("title").notNull(),
  grants: text("grants").notNull(),
  updatedAt: text("updated_at").notNull(),
});

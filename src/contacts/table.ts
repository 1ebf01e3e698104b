import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const contactPersons = sqliteTable("contact_persons", {
  nin: text("nin").primaryKey(),
  name: text("name").notNull(),
  email: text("email"),
  mobile: text("mobile"),
  reserved: integer("reserved", { mode: "boolean" }).notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const contactOrganizations = sqliteTable("contact_organizations", {
  orgNo: text("org_no").primaryKey(),
  name: text("name").notNull(),
  emails: text("emails").notNull(),
  mobiles: text("mobiles").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const contactOrgUsers = sqliteTable(
  "contact_org_users",
  {
    orgNo: text("org_no").notNull(),
    userId: text("user_id").notNull(),
    email: text("email").notNull(),
    mobile: text("mobile"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgNo, t.userId] })],
);

export const contactOrgUserResources = sqliteTable(
  "contact_org_user_resources",
  {
    orgNo: text("org_no").notNull(),
    userId: text("user_id").notNull(),
    resourceId: text("resource_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgNo, t.userId, t.resourceId] })],
);

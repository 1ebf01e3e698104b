-- Contact register (SPEC §5.3): persons by national identity number, organisations' official
-- notification addresses, and users' own addresses for an organisation with their resource opt-ins.
CREATE TABLE contact_persons (
  nin TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT,
  mobile TEXT,
  reserved INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
);

CREATE TABLE contact_organizations (
  org_no TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- JSON array of addresses, de-duplicated on write.
  emails TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);

CREATE TABLE contact_org_users (
  org_no TEXT NOT NULL,
  user_id TEXT NOT NULL,
  email TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (org_no, user_id)
);

-- A user's opt-ins, one row per resource; resource_id is the bare id (the part after urn:altinn:resource:).
CREATE TABLE contact_org_user_resources (
  org_no TEXT NOT NULL,
  user_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  PRIMARY KEY (org_no, user_id, resource_id)
);
CREATE INDEX contact_org_user_resources_by_resource ON contact_org_user_resources (resource_id, org_no);

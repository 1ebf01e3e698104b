import { adminHeaders } from "../helpers/admin";
import { putJson } from "../helpers/http";

/** Puts contact register entries through the admin API: `[path under /admin/api/v1/contacts/, body]`. */
export async function seedContacts(entries: readonly (readonly [string, unknown])[]): Promise<void> {
  const admin = await adminHeaders();
  for (const [path, body] of entries) {
    const res = await putJson(`/admin/api/v1/contacts/${path}`, body, admin);
    if (res.status !== 200) throw new Error(`seeding ${path}: ${res.status} ${await res.text()}`);
  }
}

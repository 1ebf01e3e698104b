import { altinnToken, bearer } from "./tokens";
import { putJson } from "./http";

export async function adminHeaders(): Promise<Record<string, string>> {
  return bearer(await altinnToken({ org: "digdir", scope: "varsel:admin" }));
}

export async function putResource(
  id: string,
  owner: string,
  grants: { subject: string; actions: string[] }[] = [],
  title = id,
): Promise<void> {
  const res = await putJson(`/admin/api/v1/resources/${id}`, { owner, title, grants }, await adminHeaders());
  if (res.status !== 200) throw new Error(`putResource ${id}: ${res.status} ${await res.text()}`);
}

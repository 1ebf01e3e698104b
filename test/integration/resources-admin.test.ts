import { describe, expect, it } from "vitest";
import { adminHeaders } from "../helpers/admin";
import { call, putJson, problem } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const body = {
  owner: "ttd",
  title: "Admin test",
  grants: [{ subject: "/org/digdir", actions: ["subscribe", "read"] }],
};

describe("admin resource API (SPEC §3)", () => {
  it("puts, reads and deletes a resource", async () => {
    const admin = await adminHeaders();
    const put = await putJson("/admin/api/v1/resources/admin-test", body, admin);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ id: "admin-test", ...body });
    expect(await (await call("/admin/api/v1/resources/admin-test", { headers: admin })).json()).toEqual({
      id: "admin-test",
      ...body,
    });
    expect((await call("/admin/api/v1/resources/admin-test", { method: "DELETE", headers: admin })).status).toBe(200);
    expect((await call("/admin/api/v1/resources/admin-test", { headers: admin })).status).toBe(404);
    expect((await call("/admin/api/v1/resources/admin-test", { method: "DELETE", headers: admin })).status).toBe(404);
  });

  it("needs the varsel:admin scope", async () => {
    expect((await putJson("/admin/api/v1/resources/admin-test2", body, {})).status).toBe(401);
    expect(
      (
        await putJson(
          "/admin/api/v1/resources/admin-test2",
          body,
          bearer(await altinnToken({ org: "ttd", scope: "altinn:events.publish" })),
        )
      ).status,
    ).toBe(403);
  });

  it("validates the body with property-keyed errors", async () => {
    const admin = await adminHeaders();
    const p = await problem(
      await putJson(
        "/admin/api/v1/resources/admin-test3",
        { owner: "Not An Org", grants: [{ subject: "digdir", actions: ["fly"] }] },
        admin,
      ),
    );
    expect(p.status).toBe(400);
    expect(p.title).toBe("One or more validation errors occurred.");
    expect(Object.keys(p.errors!).sort()).toEqual(["Grants", "Owner", "Title"]);
    expect((await putJson("/admin/api/v1/resources/UPPER", body, admin)).status).toBe(400);
  });
});

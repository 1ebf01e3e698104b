import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("health", () => {
  it("answers 200 with storage checked", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "Healthy", storage: "ok" });
  });
});

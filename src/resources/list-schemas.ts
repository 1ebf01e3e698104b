import { z } from "zod";
import { ACTIONS } from "./policy";

/** A resource as the admin API answers it (SPEC §3), for /openapi.json. */
export const resourceResponse = z
  .object({
    id: z.string().describe("The part after urn:altinn:resource:"),
    owner: z.string(),
    title: z.string(),
    grants: z.array(z.object({ subject: z.string(), actions: z.array(z.enum(ACTIONS)) })),
  })
  .meta({
    examples: [
      {
        id: "ttd-demo-events",
        owner: "ttd",
        title: "Demo events",
        grants: [{ subject: "/org/digdir", actions: ["subscribe", "read"] }],
      },
    ],
  });

export const resourceListResponse = z
  .object({ count: z.number().int(), resources: z.array(resourceResponse) })
  .meta({ examples: [{ count: 1, resources: resourceResponse.meta()?.examples }] });

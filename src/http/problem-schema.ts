import { z } from "zod";

/** The problem+json body every error answers with (SPEC §1), for /openapi.json. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    traceId: z.string().describe("W3C trace id, `00-<32 hex>-<16 hex>-00`"),
    errors: z.record(z.string(), z.array(z.string())).optional().describe("Validation failures by property name"),
  })
  .meta({
    description: "application/problem+json in the ASP.NET shape",
    examples: [
      {
        type: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        title: "One or more validation errors occurred.",
        status: 400,
        traceId: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        errors: { Resource: ["The 'resource' parameter must begin with urn:altinn:resource:"] },
      },
    ],
  });

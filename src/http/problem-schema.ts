import { z } from "zod";
import { ALTINN_CODES, type AltinnCode, problemBody } from "./problem";

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

/** Altinn's coded problem (SPEC §5.5): the code's text in title and detail, the code itself beside them. */
export function codedProblemSchema(code: AltinnCode) {
  return z
    .object({
      type: z.literal(`urn:altinn:error:${code}`),
      title: z.string(),
      detail: z.string(),
      status: z.literal(ALTINN_CODES[code].status),
      code: z.literal(code),
      traceId: z.string(),
    })
    .meta({
      description: `Altinn's coded problem ${code}`,
      examples: [problemBody({ kind: "coded", code }, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")],
    });
}

/** A plain-text error (the SMS gateway's protocol, not problem+json). */
export const plainErrorSchema = z
  .string()
  .meta({ description: "A plain-text reason", examples: ["Error: Content is too large"] });

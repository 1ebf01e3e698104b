/**
 * `GET /future/shipment/feed` query (reference §4.2) as a zod schema: `seq` (≥ 0, exclusive),
 * `pageSize` (clamped 1–500, no error), `orderBy` (Asc|Desc or 0|1, any case); names case-insensitive.
 * ASP.NET's texts: a value that does not bind is keyed by the parameter's name (`seq`), the
 * validator's rule by the property's (`Seq`).
 */
import { z } from "zod";
import { fail } from "../../http/problem";
import { queryObject, zodErrors } from "../../http/validate";
import { clampPageSize } from "./views";

/** The first value of a repeated parameter, as ASP.NET binds a scalar. */
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const notValid = (name: string, v: string) => `The value '${v.slice(0, 50)}' is not valid for ${name}.`;

const integer = (name: string, min?: { value: number; property: string; message: string }) =>
  z.preprocess(
    first,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === "") return undefined;
        if (!/^-?\d{1,18}$/.test(v.trim())) {
          ctx.addIssue({ code: "custom", message: notValid(name, v) });
          return z.NEVER;
        }
        const n = Number(v.trim());
        if (min && n < min.value) {
          ctx.addIssue({ code: "custom", message: min.message, params: { property: min.property } });
          return z.NEVER;
        }
        return n;
      }),
  );

export const feedQuerySchema = z.object({
  seq: integer("seq", { value: 0, property: "Seq", message: "Sequence number cannot be less than 0." }).describe(
    "Exclusive cursor: the last `sequenceNumber` read; 0 (default) from the start, or the newest with `Desc`",
  ),
  pageSize: integer("pageSize").describe("Entries per page, 1–500 (clamped); default 500"),
  orderBy: z
    .preprocess(
      first,
      z
        .string()
        .optional()
        .transform((v, ctx): "Asc" | "Desc" => {
          const o = (v ?? "").trim().toLowerCase();
          if (v === undefined || v === "" || o === "asc" || o === "0") return "Asc";
          if (o === "desc" || o === "1") return "Desc";
          ctx.addIssue({ code: "custom", message: notValid("orderBy", v) });
          return z.NEVER;
        }),
    )
    .describe("`Asc` (default) or `Desc`, any case, or 0/1"),
});

/** The feed's query, or a 400 whose detail is the first message (as Altinn's read APIs answer). */
export function parseFeedQuery(url: URL): { seq: number; pageSize: number; orderBy: "Asc" | "Desc" } {
  const r = feedQuerySchema.safeParse(queryObject(url, Object.keys(feedQuerySchema.shape)));
  if (!r.success) {
    const errors = zodErrors(r.error, (path, issue) => {
      const property = (issue as { params?: { property?: string } }).params?.property;
      return property ?? String(path[0]);
    });
    fail({ kind: "validation", errors, detail: Object.values(errors)[0]?.[0] ?? "Invalid query." });
  }
  return { seq: r.data.seq ?? 0, pageSize: clampPageSize(r.data.pageSize), orderBy: r.data.orderBy };
}

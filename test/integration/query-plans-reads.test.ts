// EXPLAIN QUERY PLAN of the event reads and subscription queries (issue 7 §6): every query the code
// sends reads through an index, with no SCAN of a large table and no temporary B-tree sort.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listEvents, seqOfEventId, type EventQuery } from "../../src/events/queries";
import {
  deleteSubscription,
  findIdentical,
  getSubscription,
  insertSubscription,
  listSubscriptions,
  subscriptionsForResources,
} from "../../src/subscriptions/queries";
import { expectIndexed, queryPlan } from "../helpers/query-plan";
import { recordingEnv, type Recorded } from "../helpers/recording-db";

async function plansOf(
  run: (e: typeof env) => Promise<unknown>,
): Promise<{ statements: Recorded[]; plans: string[][] }> {
  const rec = recordingEnv(env);
  await run(rec.env as typeof env);
  expect(rec.statements.length).toBeGreaterThan(0);
  const plans: string[][] = [];
  for (const s of rec.statements) {
    if (!/^\s*(SELECT|select|INSERT|insert|UPDATE|update|DELETE|delete)/.test(s.sql)) continue;
    plans.push(await queryPlan(env.DB, s.sql, ...s.binds));
  }
  return { statements: rec.statements, plans };
}

const RESOURCE = "urn:altinn:resource:app_ttd_plan-app";
const base = { afterSeq: 0, size: 50 };
const filters: Record<string, Partial<EventQuery>> = {
  none: {},
  subject: { subject: "/party/1" },
  alternativeSubject: { alternativeSubject: "/person/01017012345" },
  oneType: { types: ["app.%"] },
  twoTypes: { types: ["app.%.created", "b.c"] },
  fromTo: { from: "2020-01-01T00:00:00.000Z", to: "2030-01-01T00:00:00.000Z" },
  everything: {
    subject: "/party/1",
    alternativeSubject: "/organisation/991825827",
    types: ["a.%"],
    from: "2020-01-01T00:00:00.000Z",
    to: "2030-01-01T00:00:00.000Z",
  },
};

describe("GET /events and GET /app/{org}/{app}: one resource, every filter combination", () => {
  it.each(Object.entries(filters))("%s", async (_name, f) => {
    const { plans } = await plansOf((e) => listEvents(e, { ...base, resource: RESOURCE, ...f }));
    for (const plan of plans) expectIndexed(plan);
  });
});

describe("GET /app/party: the caller's party across every app, every filter combination", () => {
  const party = { resourcePrefix: "urn:altinn:resource:app_", subject: "/party/50001337" };
  const partyFilters: Record<string, Partial<EventQuery>> = {
    ...filters,
    source: { source: "https://ttd.apps.example/ttd/%" },
    sourceAndType: { source: "https://x/%", types: ["a.%"] },
  };
  it.each(Object.entries(partyFilters))("%s", async (_name, f) => {
    const { plans } = await plansOf((e) => listEvents(e, { ...base, ...party, ...f, subject: party.subject }));
    for (const plan of plans) {
      expectIndexed(plan);
      expect(plan.join("\n")).toMatch(/events_subject_seq/);
    }
  });
});

describe("an after event id is looked up through an index, in every scope", () => {
  it.each([
    ["resource", { resource: RESOURCE }],
    ["resource and subject", { resource: RESOURCE, subject: "/party/1" }],
    ["party across apps", { resourcePrefix: "urn:altinn:resource:app_", subject: "/party/1" }],
  ] as const)("%s", async (_name, scope) => {
    const { plans } = await plansOf((e) => seqOfEventId(e, "some-id", scope));
    for (const plan of plans) expectIndexed(plan);
  });
});

describe("subscription queries", () => {
  it("create (with the quota's count), read, list, find identical, match candidates, delete", async () => {
    const sub = {
      endPoint: "http://127.0.0.1:9/plan",
      sourceFilter: null,
      resourceFilter: RESOURCE,
      subjectFilter: null,
      alternativeSubjectFilter: null,
      typeFilter: null,
      consumer: "/org/plan",
      consumerParty: null,
      createdBy: "/org/plan",
      created: new Date().toISOString(),
      secret: "whsec_x",
    };
    const { plans, statements } = await plansOf(async (e) => {
      const row = await insertSubscription(e, sub, 100);
      await getSubscription(e, row!.id);
      await listSubscriptions(e, "/org/plan");
      await findIdentical(e, sub);
      await subscriptionsForResources(e, [RESOURCE, "urn:altinn:resource:other"]);
      await deleteSubscription(e, row!.id);
    });
    expect(statements.length).toBeGreaterThanOrEqual(6);
    for (const plan of plans) expectIndexed(plan, ["CONSTANT"]);
  });
});

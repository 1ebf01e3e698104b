import { Button, Card, Heading, Link, Paragraph, Table, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { call, seg, type Problem } from "../api";
import { href } from "../route";
import { Notice, ProblemAlert, StatusTag, time } from "../ui";

export interface Subscription {
  id: number;
  endPoint: string;
  sourceFilter: string | null;
  resourceFilter: string | null;
  subjectFilter: string | null;
  alternativeSubjectFilter: string | null;
  typeFilter: string | null;
  consumer: string;
  created: string;
  validated: boolean;
  disabled?: boolean;
  disabledReason?: string;
  secret?: string;
}

export function subscriptionState(s: Subscription): string {
  return s.disabled ? "disabled" : s.validated ? "validated" : "awaiting validation";
}

const FILTERS = ["resourceFilter", "sourceFilter", "subjectFilter", "alternativeSubjectFilter", "typeFilter"] as const;
const LABELS: Record<(typeof FILTERS)[number], string> = {
  resourceFilter: "Resource filter (urn:altinn:resource:…)",
  sourceFilter: "Source filter (URL, % matches anything)",
  subjectFilter: "Subject filter",
  alternativeSubjectFilter: "Alternative subject filter",
  typeFilter: "Type filter",
};

export function Subscriptions() {
  const [subs, setSubs] = useState<Subscription[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<Subscription | null>(null);
  const [form, setForm] = useState<Record<string, string>>({ endPoint: "", resourceFilter: "urn:altinn:resource:" });

  const load = useCallback(async () => {
    const r = await call<{ subscriptions: Subscription[] }>("/events/api/v1/subscriptions");
    if (r.ok) setSubs(r.body.subscriptions);
    else setProblem(r.problem);
  }, []);
  useEffect(() => void load(), [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setCreated(null);
    const body = Object.fromEntries(
      Object.entries(form).filter(([k, v]) => v.trim() && !(k === "resourceFilter" && v === "urn:altinn:resource:")),
    );
    const r = await call<Subscription>("/events/api/v1/subscriptions", { method: "POST", json: body });
    if (!r.ok) return setProblem(r.problem);
    setCreated(r.body);
    await load();
  };

  const remove = async (s: Subscription) => {
    if (!window.confirm(`Delete subscription ${s.id}? No push starts after this.`)) return;
    const r = await call(`/events/api/v1/subscriptions/${seg(s.id)}`, { method: "DELETE" });
    if (!r.ok) setProblem(r.problem);
    await load();
  };

  return (
    <>
      <Heading level={1} data-size="md">
        Subscriptions
      </Heading>
      <ProblemAlert problem={problem} />
      {created && (
        <Notice>
          Subscription {created.id} created.{" "}
          {created.secret ? (
            <>
              Its signing secret is shown this once: <code className="secret">{created.secret}</code>
            </>
          ) : (
            "It already existed."
          )}
        </Notice>
      )}
      {subs && subs.length === 0 && <Paragraph>No subscriptions yet.</Paragraph>}
      {subs && subs.length > 0 && (
        <div className="scroll">
          <Table zebra>
            <caption className="visually-hidden">Your subscriptions</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell>Id</Table.HeaderCell>
                <Table.HeaderCell>Endpoint</Table.HeaderCell>
                <Table.HeaderCell>Filters</Table.HeaderCell>
                <Table.HeaderCell>State</Table.HeaderCell>
                <Table.HeaderCell>Created</Table.HeaderCell>
                <Table.HeaderCell>
                  <span className="visually-hidden">Actions</span>
                </Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {subs.map((s) => (
                <Table.Row key={s.id}>
                  <Table.Cell>
                    <Link href={href("subscriptions", s.id)}>Subscription {s.id}</Link>
                  </Table.Cell>
                  <Table.Cell className="wrap">{s.endPoint}</Table.Cell>
                  <Table.Cell className="wrap">
                    {FILTERS.filter((f) => s[f]).map((f) => (
                      <div key={f}>
                        {f.replace("Filter", "")}: {s[f]}
                      </div>
                    ))}
                  </Table.Cell>
                  <Table.Cell>
                    <StatusTag status={subscriptionState(s)} />
                    {s.disabledReason && <div className="muted">{s.disabledReason}</div>}
                  </Table.Cell>
                  <Table.Cell>{time(s.created)}</Table.Cell>
                  <Table.Cell>
                    <Button
                      variant="tertiary"
                      data-color="danger"
                      data-size="sm"
                      onClick={() => remove(s)}
                      aria-label={`Delete subscription ${s.id}`}
                    >
                      Delete
                    </Button>
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
      <Card>
        <form onSubmit={create} className="stack">
          <Heading level={2} data-size="sm">
            New subscription
          </Heading>
          <Textfield
            label="Endpoint (where pushes are POSTed)"
            required
            value={form.endPoint ?? ""}
            onChange={(e) => setForm({ ...form, endPoint: e.target.value })}
          />
          {FILTERS.map((f) => (
            <Textfield
              key={f}
              label={LABELS[f]}
              value={form[f] ?? ""}
              onChange={(e) => setForm({ ...form, [f]: e.target.value })}
            />
          ))}
          <Button type="submit">Create subscription</Button>
        </form>
      </Card>
    </>
  );
}

import { Button, Card, Heading, Link, Paragraph, Table, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { call, query, seg, type Problem } from "../api";
import { type LivePush, openLive } from "../live";
import { href } from "../route";
import { Notice, ProblemAlert, SelectField, StatusTag, time } from "../ui";
import { type Subscription, subscriptionState } from "./Subscriptions";

interface Attempt {
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  time: string;
  error: string | null;
  response: string | null;
}
interface Delivery {
  eventId: string;
  status: string;
  attempts: Attempt[];
  nextAttemptAt: string | null;
  reason?: string;
  lastResponse?: { statusCode: number | null; body: string | null };
}

function Live({ id }: { id: string }) {
  const [pushes, setPushes] = useState<LivePush[]>([]);
  const [state, setState] = useState<"connecting" | "open" | "closed" | "error">("connecting");
  useEffect(
    () =>
      openLive(
        `/events/api/v1/subscriptions/${seg(id)}/live`,
        (p) => setPushes((all) => [p, ...all].slice(0, 50)),
        setState,
      ),
    [id],
  );
  return (
    <Card>
      <Heading level={2} data-size="sm">
        Live pushes
      </Heading>
      <Paragraph data-size="sm" aria-live="polite">
        {state === "open"
          ? "Watching: each attempt appears here as it happens."
          : state === "connecting"
            ? "Connecting…"
            : "Not connected; reload to watch again."}
      </Paragraph>
      <ol className="live" aria-label="Live pushes" aria-live="polite">
        {pushes.map((p) => (
          <li key={`${p.eventId}-${p.attempt}-${p.time}`}>
            <StatusTag status={p.outcome} /> event {p.eventId}, attempt {p.attempt}: {p.statusCode ?? "no answer"} in{" "}
            {p.durationMs} ms
            {p.error ? ` (${p.error})` : ""} at {time(p.time)}
          </li>
        ))}
      </ol>
    </Card>
  );
}

function Attempts({ d }: { d: Delivery }) {
  return (
    <div className="scroll">
      <Table data-size="sm">
        <caption>Attempts of event {d.eventId}</caption>
        <Table.Head>
          <Table.Row>
            <Table.HeaderCell>#</Table.HeaderCell>
            <Table.HeaderCell>Time</Table.HeaderCell>
            <Table.HeaderCell>Status code</Table.HeaderCell>
            <Table.HeaderCell>Duration</Table.HeaderCell>
            <Table.HeaderCell>Error</Table.HeaderCell>
            <Table.HeaderCell>Response excerpt</Table.HeaderCell>
          </Table.Row>
        </Table.Head>
        <Table.Body>
          {d.attempts.map((a) => (
            <Table.Row key={a.attempt}>
              <Table.Cell>{a.attempt}</Table.Cell>
              <Table.Cell>{time(a.time)}</Table.Cell>
              <Table.Cell>{a.statusCode ?? "—"}</Table.Cell>
              <Table.Cell>{a.durationMs} ms</Table.Cell>
              <Table.Cell className="wrap">{a.error ?? "—"}</Table.Cell>
              <Table.Cell className="wrap">
                <code>{a.response ? a.response.slice(0, 300) : "—"}</code>
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </div>
  );
}

export function SubscriptionDetail({ id }: { id: string }) {
  const [sub, setSub] = useState<Subscription | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [page, setPage] = useState<{ list: Delivery[]; next: string | null } | null>(null);
  const [since, setSince] = useState(() => new Date(Date.now() - 24 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z"));

  const load = useCallback(
    async (path?: string) => {
      const s = await call<Subscription>(`/events/api/v1/subscriptions/${seg(id)}`);
      if (!s.ok) return setProblem(s.problem);
      setSub(s.body);
      const r = await call<{ deliveries: Delivery[] }>(
        path ?? `/events/api/v1/subscriptions/${seg(id)}/deliveries${query({ status, size: "20" })}`,
      );
      if (!r.ok) return setProblem(r.problem);
      setPage((old) => ({
        list: path && old ? [...old.list, ...r.body.deliveries] : r.body.deliveries,
        next: r.body.deliveries.length ? r.next : null,
      }));
    },
    [id, status],
  );
  useEffect(() => void load(), [load]);

  const redeliver = async (eventId: string) => {
    setProblem(null);
    const r = await call(`/events/api/v1/subscriptions/${seg(id)}/deliveries/${seg(eventId)}/redeliver`, {
      method: "POST",
    });
    if (!r.ok) return setProblem(r.problem);
    setNotice(`Event ${eventId} is queued again.`);
    await load();
  };

  const recover = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const r = await call<{ queued: number }>(`/events/api/v1/subscriptions/${seg(id)}/recover${query({ since })}`, {
      method: "POST",
    });
    if (!r.ok) return setProblem(r.problem);
    setNotice(`${r.body.queued} dead-lettered push(es) queued again.`);
    await load();
  };

  return (
    <>
      <Link href={href("subscriptions")}>All subscriptions</Link>
      <Heading level={1} data-size="md">
        Subscription {id}
      </Heading>
      <ProblemAlert problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      {sub && (
        <dl className="facts">
          <dt>State</dt>
          <dd>
            <StatusTag status={subscriptionState(sub)} /> {sub.disabledReason ?? ""}
          </dd>
          <dt>Endpoint</dt>
          <dd className="wrap">{sub.endPoint}</dd>
          <dt>Resource</dt>
          <dd className="wrap">{sub.resourceFilter ?? "—"}</dd>
          <dt>Created</dt>
          <dd>{time(sub.created)}</dd>
        </dl>
      )}
      <Live id={id} />
      <section aria-labelledby="deliveries-heading">
        <Heading level={2} data-size="sm" id="deliveries-heading">
          Deliveries, newest first
        </Heading>
        <div className="row">
          <SelectField
            label="Status"
            value={status}
            onChange={setStatus}
            options={[
              ["", "All"],
              ["pending", "Pending"],
              ["delivered", "Delivered"],
              ["failed", "Dead letters (failed)"],
            ]}
          />
          <Button variant="secondary" onClick={() => load()}>
            Refresh
          </Button>
        </div>
        {page && page.list.length === 0 && (
          <Paragraph>No deliveries{status ? ` with status ${status}` : ""}.</Paragraph>
        )}
        {page?.list.map((d) => (
          <Card key={d.eventId} className="delivery" data-testid="delivery">
            <div className="row">
              <Heading level={3} data-size="xs">
                Event {d.eventId}
              </Heading>
              <StatusTag status={d.status} />
              {d.nextAttemptAt && <span className="muted">next attempt {time(d.nextAttemptAt)}</span>}
              <Button
                variant="secondary"
                data-size="sm"
                onClick={() => redeliver(d.eventId)}
                aria-label={`Redeliver event ${d.eventId}`}
              >
                Redeliver
              </Button>
            </div>
            {d.reason && <Paragraph data-size="sm">Why: {d.reason}</Paragraph>}
            {d.lastResponse?.body && (
              <Paragraph data-size="sm" className="wrap">
                Last response ({d.lastResponse.statusCode ?? "none"}): <code>{d.lastResponse.body.slice(0, 300)}</code>
              </Paragraph>
            )}
            {d.attempts.length > 0 ? <Attempts d={d} /> : <Paragraph data-size="sm">No attempt yet.</Paragraph>}
          </Card>
        ))}
        {page?.next && (
          <Button variant="secondary" onClick={() => load(page.next!)}>
            Older deliveries
          </Button>
        )}
      </section>
      <Card>
        <form onSubmit={recover} className="stack">
          <Heading level={2} data-size="sm">
            Recover dead letters
          </Heading>
          <Textfield label="Since (RFC 3339)" value={since} onChange={(e) => setSince(e.target.value)} />
          <Button type="submit" variant="secondary">
            Recover since
          </Button>
        </form>
      </Card>
    </>
  );
}

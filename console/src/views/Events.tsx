import { Button, Card, Heading, Paragraph, Table, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useState } from "react";
import { call, query, type Problem } from "../api";
import { Notice, ProblemAlert, time } from "../ui";

interface CloudEvent {
  id: string;
  type: string;
  source: string;
  subject?: string;
  time?: string;
  resource?: string;
  data?: unknown;
}

const DEMO = "urn:altinn:resource:ttd-demo-events";

/** §4.3's reading with its filters and paging, and a form that publishes a test event. */
export function Events() {
  const [filters, setFilters] = useState({ resource: DEMO, subject: "", alternativesubject: "", type: "", size: "50" });
  const [events, setEvents] = useState<CloudEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [draft, setDraft] = useState({
    resource: DEMO,
    type: "console.test",
    source: "https://varsel.example/console",
    subject: "/party/50001337",
    data: '{"hello": "world"}',
  });

  const read = async (path: string, append: boolean) => {
    setProblem(null);
    const r = await call<CloudEvent[]>(path);
    if (!r.ok) return setProblem(r.problem);
    setEvents((old) => (append && old ? [...old, ...r.body] : r.body));
    setNext(r.body.length ? r.next : null);
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    const types = filters.type
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    void read(
      `/events/api/v1/events${query({ resource: filters.resource, after: "0", subject: filters.subject, alternativesubject: filters.alternativesubject, type: types, size: filters.size })}`,
      false,
    );
  };

  const publish = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setNotice(null);
    let data: unknown;
    try {
      data = draft.data.trim() ? JSON.parse(draft.data) : undefined;
    } catch {
      return setProblem({
        title: "The data is not JSON",
        detail: "Write the event's data as a JSON value, or leave it empty.",
      });
    }
    const event = {
      specversion: "1.0",
      id: crypto.randomUUID(),
      time: new Date().toISOString(),
      type: draft.type,
      source: draft.source,
      resource: draft.resource,
      ...(draft.subject ? { subject: draft.subject } : {}),
      ...(data !== undefined ? { data } : {}),
    };
    const r = await call("/events/api/v1/events", {
      method: "POST",
      json: event,
      contentType: "application/cloudevents+json",
    });
    if (!r.ok) return setProblem(r.problem);
    setNotice(`Published event ${event.id}.`);
  };

  const set = (k: keyof typeof filters) => (e: { target: { value: string } }) =>
    setFilters({ ...filters, [k]: e.target.value });
  const setD = (k: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });

  return (
    <>
      <Heading level={1} data-size="md">
        Events
      </Heading>
      <ProblemAlert problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      <Card>
        <form onSubmit={search} className="grid">
          <Heading level={2} data-size="sm" className="span">
            Read a resource's events
          </Heading>
          <Textfield label="Resource" required value={filters.resource} onChange={set("resource")} />
          <Textfield label="Subject" value={filters.subject} onChange={set("subject")} />
          <Textfield
            label="Alternative subject"
            value={filters.alternativesubject}
            onChange={set("alternativesubject")}
          />
          <Textfield label="Types (comma-separated, % wildcard)" value={filters.type} onChange={set("type")} />
          <Textfield label="Page size" inputMode="numeric" value={filters.size} onChange={set("size")} />
          <div className="span">
            <Button type="submit">Read events</Button>
          </div>
        </form>
      </Card>
      {events && events.length === 0 && <Paragraph>No events.</Paragraph>}
      {events && events.length > 0 && (
        <div className="scroll">
          <Table zebra data-size="sm">
            <caption>Events in publish order</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell>Time</Table.HeaderCell>
                <Table.HeaderCell>Type</Table.HeaderCell>
                <Table.HeaderCell>Subject</Table.HeaderCell>
                <Table.HeaderCell>Source</Table.HeaderCell>
                <Table.HeaderCell>Id</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {events.map((ev, i) => (
                <Table.Row key={`${ev.id}-${i}`}>
                  <Table.Cell>{time(ev.time)}</Table.Cell>
                  <Table.Cell>{ev.type}</Table.Cell>
                  <Table.Cell>{ev.subject ?? "—"}</Table.Cell>
                  <Table.Cell className="wrap">{ev.source}</Table.Cell>
                  <Table.Cell className="wrap">{ev.id}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
      {next && (
        <Button variant="secondary" onClick={() => read(next, true)}>
          Next page
        </Button>
      )}
      <Card>
        <form onSubmit={publish} className="grid">
          <Heading level={2} data-size="sm" className="span">
            Publish a test event
          </Heading>
          <Textfield label="Resource" required value={draft.resource} onChange={setD("resource")} />
          <Textfield label="Type" required value={draft.type} onChange={setD("type")} />
          <Textfield label="Source (absolute URL)" required value={draft.source} onChange={setD("source")} />
          <Textfield label="Subject" value={draft.subject} onChange={setD("subject")} />
          <Textfield
            label="Data (JSON)"
            multiline
            rows={3}
            value={draft.data}
            onChange={setD("data")}
            className="span"
          />
          <div className="span">
            <Button type="submit">Publish event</Button>
          </div>
        </form>
      </Card>
    </>
  );
}

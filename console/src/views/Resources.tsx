import {
  Button,
  Card,
  Checkbox,
  Fieldset,
  Heading,
  Link,
  Paragraph,
  Table,
  Textfield,
} from "@digdir/designsystemet-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { call, query, seg, type Problem } from "../api";
import { href } from "../route";
import { Notice, ProblemAlert } from "../ui";

interface Grant {
  subject: string;
  actions: string[];
}
interface Resource {
  id: string;
  owner: string;
  title: string;
  grants: Grant[];
}

const ACTIONS = ["publish", "subscribe", "read", "notify"];

function Editor({ initial, onSaved }: { initial: Resource; onSaved: (r: Resource) => void }) {
  const [r, setR] = useState(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => setR(initial), [initial]);

  const setGrant = (i: number, g: Grant) => setR({ ...r, grants: r.grants.map((x, j) => (j === i ? g : x)) });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const res = await call<Resource>(`/admin/api/v1/resources/${seg(r.id)}`, {
      method: "PUT",
      json: { owner: r.owner, title: r.title, grants: r.grants },
    });
    if (!res.ok) return setProblem(res.problem);
    onSaved(res.body);
  };

  return (
    <Card>
      <form onSubmit={save} className="stack" aria-label={`Edit resource ${r.id || "new"}`}>
        <Heading level={2} data-size="sm">
          {initial.id ? `Resource ${initial.id}` : "New resource"}
        </Heading>
        <ProblemAlert problem={problem} />
        {!initial.id && (
          <Textfield
            label="Resource id (after urn:altinn:resource:)"
            required
            value={r.id}
            onChange={(e) => setR({ ...r, id: e.target.value })}
          />
        )}
        <Textfield
          label="Owner (org code)"
          required
          value={r.owner}
          onChange={(e) => setR({ ...r, owner: e.target.value })}
        />
        <Textfield label="Title" required value={r.title} onChange={(e) => setR({ ...r, title: e.target.value })} />
        {r.grants.map((g, i) => (
          <Fieldset key={i} className="grant">
            <Fieldset.Legend>Grant {i + 1}</Fieldset.Legend>
            <Textfield
              label="Subject (/org/…, /user/…, /organisation/…, /party/…)"
              value={g.subject}
              onChange={(e) => setGrant(i, { ...g, subject: e.target.value })}
            />
            <div className="row">
              {ACTIONS.map((a) => (
                <Checkbox
                  key={a}
                  label={a}
                  value={a}
                  checked={g.actions.includes(a)}
                  onChange={(e) =>
                    setGrant(i, {
                      ...g,
                      actions: e.target.checked ? [...g.actions, a] : g.actions.filter((x) => x !== a),
                    })
                  }
                />
              ))}
            </div>
            <Button
              variant="tertiary"
              data-color="danger"
              data-size="sm"
              onClick={() => setR({ ...r, grants: r.grants.filter((_, j) => j !== i) })}
            >
              Remove grant {i + 1}
            </Button>
          </Fieldset>
        ))}
        <div className="row">
          <Button
            variant="secondary"
            onClick={() => setR({ ...r, grants: [...r.grants, { subject: "", actions: ["subscribe"] }] })}
          >
            Add grant
          </Button>
          <Button type="submit">Save resource</Button>
        </div>
      </form>
    </Card>
  );
}

/** Operator view: the resource registry and its grants (varsel:admin). */
export function Resources({ selected }: { selected?: string }) {
  const [list, setList] = useState<Resource[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async (path = `/admin/api/v1/resources${query({ size: "50" })}`, append = false) => {
    const r = await call<{ resources: Resource[] }>(path);
    if (!r.ok) return setProblem(r.problem);
    setList((old) => (append && old ? [...old, ...r.body.resources] : r.body.resources));
    setNext(r.body.resources.length ? r.next : null);
  }, []);
  useEffect(() => void load(), [load]);

  const current =
    selected === "new" ? { id: "", owner: "", title: "", grants: [] } : list?.find((r) => r.id === selected);

  return (
    <>
      <Heading level={1} data-size="md">
        Resources and grants
      </Heading>
      <ProblemAlert problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      <Link href={href("resources", "new")}>New resource</Link>
      {current && (
        <Editor
          initial={current}
          onSaved={(r) => {
            setNotice(`Resource ${r.id} saved.`);
            void load();
            location.hash = href("resources", r.id);
          }}
        />
      )}
      {list && list.length === 0 && <Paragraph>No resources are registered.</Paragraph>}
      {list && list.length > 0 && (
        <div className="scroll">
          <Table zebra>
            <caption>Registered resources</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell>Resource</Table.HeaderCell>
                <Table.HeaderCell>Owner</Table.HeaderCell>
                <Table.HeaderCell>Title</Table.HeaderCell>
                <Table.HeaderCell>Grants</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {list.map((r) => (
                <Table.Row key={r.id}>
                  <Table.Cell>
                    <Link href={href("resources", r.id)}>{r.id}</Link>
                  </Table.Cell>
                  <Table.Cell>{r.owner}</Table.Cell>
                  <Table.Cell>{r.title}</Table.Cell>
                  <Table.Cell className="wrap" data-testid={`grants-${r.id}`}>
                    {r.grants.length ? r.grants.map((g) => `${g.subject}: ${g.actions.join(", ")}`).join("; ") : "—"}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
      {next && (
        <Button variant="secondary" onClick={() => load(next, true)}>
          More resources
        </Button>
      )}
    </>
  );
}

import { Button, Card, Heading, Paragraph, Table, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useState } from "react";
import { call, type Problem } from "../api";
import { Notice, ProblemAlert, SelectField } from "../ui";

const KINDS: Record<string, { path: string; example: string }> = {
  persons: { path: "persons", example: '{"nin":"01017012345","name":"Kari Nordmann","email":"kari@example.com"}' },
  organizations: {
    path: "organizations",
    example: '{"orgNo":"991825827","name":"Digdir","emails":["post@example.com"]}',
  },
  users: {
    path: "organizations/users",
    example: '{"orgNo":"991825827","userId":"1337","email":"user@example.com","resources":[]}',
  },
};

/** Operator view: the contact register's NDJSON import, with each rejected line and why. */
export function Contacts() {
  const [kind, setKind] = useState("persons");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [result, setResult] = useState<{ imported: number; rejected: { line: number; error: string }[] } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setResult(null);
    const r = await call<{ imported: number; rejected: { line: number; error: string }[] }>(
      `/admin/api/v1/contacts/${KINDS[kind]!.path}`,
      { method: "POST", text, contentType: "application/x-ndjson" },
    );
    if (!r.ok) return setProblem(r.problem);
    setResult(r.body);
  };

  return (
    <>
      <Heading level={1} data-size="md">
        Contacts
      </Heading>
      <ProblemAlert problem={problem} />
      <Card>
        <form onSubmit={submit} className="stack">
          <Heading level={2} data-size="sm">
            Import NDJSON
          </Heading>
          <SelectField
            label="What the lines are"
            value={kind}
            onChange={setKind}
            options={[
              ["persons", "Persons"],
              ["organizations", "Organisations"],
              ["users", "Organisations' users"],
            ]}
          />
          <Textfield
            label="Lines (one JSON object a line)"
            description={`For example: ${KINDS[kind]!.example}`}
            multiline
            rows={8}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
          />
          <Button type="submit">Import</Button>
        </form>
      </Card>
      {result && (
        <>
          <Notice>
            {result.imported} line(s) imported, {result.rejected.length} rejected.
          </Notice>
          {result.rejected.length > 0 && (
            <div className="scroll">
              <Table data-size="sm">
                <caption>Rejected lines</caption>
                <Table.Head>
                  <Table.Row>
                    <Table.HeaderCell>Line</Table.HeaderCell>
                    <Table.HeaderCell>Why</Table.HeaderCell>
                  </Table.Row>
                </Table.Head>
                <Table.Body>
                  {result.rejected.map((r) => (
                    <Table.Row key={r.line}>
                      <Table.Cell>{r.line}</Table.Cell>
                      <Table.Cell>{r.error}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          )}
        </>
      )}
      <Paragraph data-size="sm">
        Single records can be read and changed through the contacts API (see the API reference).
      </Paragraph>
    </>
  );
}

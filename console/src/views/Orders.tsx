import { Button, Card, Heading, Link, Paragraph, Table, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { call, type Problem } from "../api";
import { href } from "../route";
import { Notice, ProblemAlert, SelectField, StatusTag, time } from "../ui";

export interface OrderSummary {
  id: string;
  sendersReference: string | null;
  requestedSendTime: string;
  created: string;
  notificationChannel: string;
  processingStatus: { status: string; description: string; lastUpdate: string };
}

/** One line of the recipients box: an e-mail address, a national identity number or an organisation number. */
export function recipientOf(line: string): Record<string, string> {
  const v = line.trim();
  if (/^\d{11}$/.test(v)) return { nationalIdentityNumber: v };
  if (/^\d{9}$/.test(v)) return { organizationNumber: v };
  return { emailAddress: v };
}

/**
 * The caller's orders, newest first, and a form that sends a new one. The channel picker lists the
 * channels the API offers; an SMS order form plugs in beside the e-mail one (POST /orders/sms).
 */
export function Orders() {
  const [orders, setOrders] = useState<OrderSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [channel, setChannel] = useState("email");
  const [draft, setDraft] = useState({
    recipients: "",
    subject: "Hello from Varsel",
    body: "A test notification.",
    sendersReference: "",
    resourceId: "",
    requestedSendTime: "",
  });

  const load = useCallback(async (path = "/notifications/api/v1/list/orders?size=20", append = false) => {
    const r = await call<{ orders: OrderSummary[] }>(path);
    if (!r.ok) return setProblem(r.problem);
    setOrders((old) => (append && old ? [...old, ...r.body.orders] : r.body.orders));
    setNext(r.body.orders.length ? r.next : null);
  }, []);
  useEffect(() => void load(), [load]);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setNotice(null);
    const recipients = draft.recipients
      .split(/[\n,;]+/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map(recipientOf);
    const body = {
      recipients,
      subject: draft.subject,
      body: draft.body,
      ...(draft.sendersReference ? { sendersReference: draft.sendersReference } : {}),
      ...(draft.resourceId ? { resourceId: draft.resourceId } : {}),
      ...(draft.requestedSendTime ? { requestedSendTime: draft.requestedSendTime } : {}),
    };
    const r = await call<{ orderId: string }>(`/notifications/api/v1/orders/${channel}`, {
      method: "POST",
      json: body,
    });
    if (!r.ok) return setProblem(r.problem);
    setNotice(`Order ${r.body.orderId} accepted.`);
    await load();
  };

  const setD = (k: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });

  return (
    <>
      <Heading level={1} data-size="md">
        Notification orders
      </Heading>
      <ProblemAlert problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      {orders && orders.length === 0 && <Paragraph>No orders yet.</Paragraph>}
      {orders && orders.length > 0 && (
        <div className="scroll">
          <Table zebra>
            <caption>Your organisation's orders, newest first</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell>Order</Table.HeaderCell>
                <Table.HeaderCell>Channel</Table.HeaderCell>
                <Table.HeaderCell>Status</Table.HeaderCell>
                <Table.HeaderCell>Sender's reference</Table.HeaderCell>
                <Table.HeaderCell>Send time</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {orders.map((o) => (
                <Table.Row key={o.id}>
                  <Table.Cell>
                    <Link href={href("orders", o.id)}>{o.id}</Link>
                  </Table.Cell>
                  <Table.Cell>{o.notificationChannel}</Table.Cell>
                  <Table.Cell>
                    <StatusTag status={o.processingStatus.status} />
                  </Table.Cell>
                  <Table.Cell>{o.sendersReference ?? "—"}</Table.Cell>
                  <Table.Cell>{time(o.requestedSendTime)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
      {next && (
        <Button variant="secondary" onClick={() => load(next, true)}>
          Older orders
        </Button>
      )}
      <Card>
        <form onSubmit={send} className="grid">
          <Heading level={2} data-size="sm" className="span">
            Send a new order
          </Heading>
          <SelectField label="Channel" value={channel} onChange={setChannel} options={[["email", "E-mail"]]} />
          <Textfield
            label="Recipients (one a line: e-mail, national identity number or organisation number)"
            multiline
            rows={3}
            required
            value={draft.recipients}
            onChange={setD("recipients")}
            className="span"
          />
          <Textfield label="Subject" required value={draft.subject} onChange={setD("subject")} />
          <Textfield label="Sender's reference" value={draft.sendersReference} onChange={setD("sendersReference")} />
          <Textfield
            label="Body"
            multiline
            rows={3}
            required
            value={draft.body}
            onChange={setD("body")}
            className="span"
          />
          <Textfield
            label="Resource id (urn:altinn:resource:…, optional)"
            value={draft.resourceId}
            onChange={setD("resourceId")}
          />
          <Textfield
            label="Requested send time (RFC 3339, optional)"
            value={draft.requestedSendTime}
            onChange={setD("requestedSendTime")}
          />
          <div className="span">
            <Button type="submit">Send order</Button>
          </div>
        </form>
      </Card>
    </>
  );
}

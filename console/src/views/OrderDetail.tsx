import { Button, Heading, Link, Paragraph, Table } from "@digdir/designsystemet-react";
import { useCallback, useEffect, useState } from "react";
import { call, seg, type Problem } from "../api";
import { href } from "../route";
import { channelLabel, Notice, ProblemAlert, StatusTag, time } from "../ui";

interface OrderStatus {
  id: string;
  sendersReference: string | null;
  requestedSendTime: string;
  notificationChannel: string;
  processingStatus: { status: string; description: string; lastUpdate: string };
  notificationsStatusSummary: Record<string, { generated: number; succeeded: number } | null | undefined>;
}
interface OrderTemplates {
  emailTemplate: { subject: string; body: string } | null;
  smsTemplate: { senderNumber: string; body: string } | null;
}
interface ChannelNotification {
  id: string;
  succeeded: boolean;
  recipient: Record<string, unknown>;
  sendStatus: { status: string; description: string; lastUpdate: string };
}

/** Each channel's notifications (SPEC §5.2, §5.4): the same shape at notifications/email and /sms. */
const CHANNELS = [
  {
    key: "email",
    label: "E-mail",
    path: "notifications/email",
    address: (r: Record<string, unknown>) => r.emailAddress,
  },
  { key: "sms", label: "SMS", path: "notifications/sms", address: (r: Record<string, unknown>) => r.mobileNumber },
];

/** Who a notification went to: its address, else the number it was ordered for (reserved: no address). */
function recipientText(r: Record<string, unknown>, address: unknown): string {
  const parts = [address, r.nationalIdentityNumber, r.organizationNumber].filter(
    (v): v is string => typeof v === "string" && v !== "",
  );
  return parts.length ? parts.join(" · ") : "—";
}

export function OrderDetail({ id }: { id: string }) {
  const [order, setOrder] = useState<OrderStatus | null>(null);
  const [templates, setTemplates] = useState<OrderTemplates | null>(null);
  const [lists, setLists] = useState<Record<string, ChannelNotification[]>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const base = `/notifications/api/v1/orders/${seg(id)}`;
    const s = await call<OrderStatus>(`${base}/status`);
    if (!s.ok) return setProblem(s.problem);
    setOrder(s.body);
    const o = await call<OrderTemplates>(base);
    if (o.ok) setTemplates(o.body);
    const found: Record<string, ChannelNotification[]> = {};
    for (const c of CHANNELS) {
      if (!s.body.notificationsStatusSummary?.[c.key]) continue;
      const r = await call<{ notifications: ChannelNotification[] }>(`${base}/${c.path}`);
      if (r.ok) found[c.key] = r.body.notifications;
    }
    setLists(found);
  }, [id]);
  useEffect(() => void load(), [load]);

  const cancel = async () => {
    setProblem(null);
    const r = await call(`/notifications/api/v1/orders/${seg(id)}/cancel`, { method: "PUT" });
    if (!r.ok) return setProblem(r.problem);
    setNotice("The order is cancelled.");
    await load();
  };

  return (
    <>
      <Link href={href("orders")}>All orders</Link>
      <Heading level={1} data-size="md">
        Order {id}
      </Heading>
      <ProblemAlert problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      {order?.notificationChannel === "Future" && (
        <Paragraph>
          This is a shipment of the current order API: <Link href={href("shipments", id)}>open it as a shipment</Link>{" "}
          for its recipients on every channel and its order chain.
        </Paragraph>
      )}
      {order && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusTag status={order.processingStatus.status} /> {order.processingStatus.description}
            </dd>
            <dt>Channel</dt>
            <dd>{channelLabel(order.notificationChannel)}</dd>
            {templates?.emailTemplate && (
              <>
                <dt>Subject</dt>
                <dd className="wrap">{templates.emailTemplate.subject}</dd>
                <dt>Body</dt>
                <dd className="wrap">{templates.emailTemplate.body}</dd>
              </>
            )}
            {templates?.smsTemplate && (
              <>
                <dt>Sender</dt>
                <dd className="wrap">{templates.smsTemplate.senderNumber || "—"}</dd>
                <dt>Text</dt>
                <dd className="wrap">{templates.smsTemplate.body}</dd>
              </>
            )}
            <dt>Sender's reference</dt>
            <dd>{order.sendersReference ?? "—"}</dd>
            <dt>Requested send time</dt>
            <dd>{time(order.requestedSendTime)}</dd>
          </dl>
          <div className="row">
            <Button variant="secondary" onClick={() => load()}>
              Refresh
            </Button>
            {order.processingStatus.status === "Registered" && (
              <Button variant="secondary" data-color="danger" onClick={cancel}>
                Cancel order
              </Button>
            )}
          </div>
        </>
      )}
      {CHANNELS.filter((c) => lists[c.key]).map((c) => (
        <section key={c.key} aria-labelledby={`${c.key}-heading`}>
          <Heading level={2} data-size="sm" id={`${c.key}-heading`}>
            {c.label} recipients
          </Heading>
          {lists[c.key]!.length === 0 ? (
            <Paragraph>No {c.label} notifications generated yet.</Paragraph>
          ) : (
            <div className="scroll">
              <Table zebra data-size="sm">
                <caption className="visually-hidden">{c.label} recipients and their status</caption>
                <Table.Head>
                  <Table.Row>
                    <Table.HeaderCell>Recipient</Table.HeaderCell>
                    <Table.HeaderCell>Status</Table.HeaderCell>
                    <Table.HeaderCell>Description</Table.HeaderCell>
                    <Table.HeaderCell>Last update</Table.HeaderCell>
                  </Table.Row>
                </Table.Head>
                <Table.Body>
                  {lists[c.key]!.map((n) => (
                    <Table.Row key={n.id} data-testid="recipient">
                      <Table.Cell className="wrap">{recipientText(n.recipient, c.address(n.recipient))}</Table.Cell>
                      <Table.Cell>
                        <StatusTag status={n.sendStatus.status} />
                      </Table.Cell>
                      <Table.Cell>{n.sendStatus.description}</Table.Cell>
                      <Table.Cell>{time(n.sendStatus.lastUpdate)}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          )}
        </section>
      ))}
    </>
  );
}

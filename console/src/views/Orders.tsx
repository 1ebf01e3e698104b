import { Button, Heading, Link, Paragraph, Table } from "@digdir/designsystemet-react";
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { call, type Problem } from "../api";
import { href } from "../route";
import { shipmentChannelText } from "../shipment-status";
import { channelLabel, Notice, ProblemAlert, StatusTag, time } from "../ui";
import type { ChainReceipt } from "./FutureOrderForm";
import { OrderForm } from "./OrderForm";

export interface OrderSummary {
  id: string;
  sendersReference: string | null;
  requestedSendTime: string;
  created: string;
  notificationChannel: string;
  processingStatus: { status: string; description: string; lastUpdate: string };
  /** Current-API shipments (`Future`) only. */
  shipmentType?: string;
  channelSchema?: string;
}

/** The caller's orders (e-mail, SMS and current-API shipments), newest first, and a form that sends a new one. */
export function Orders() {
  const [orders, setOrders] = useState<OrderSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<ReactNode>(null);
  const load = useCallback(async (path = "/notifications/api/v1/list/orders?size=20", append = false) => {
    const r = await call<{ orders: OrderSummary[] }>(path);
    if (!r.ok) return setProblem(r.problem);
    setOrders((old) => (append && old ? [...old, ...r.body.orders] : r.body.orders));
    setNext(r.body.orders.length ? r.next : null);
  }, []);
  useEffect(() => void load(), [load]);

  const sent = async (orderId: string) => {
    setNotice(`Order ${orderId} accepted.`);
    await load();
  };

  const chainSent = async (r: ChainReceipt, repeated: boolean) => {
    setProblem(null);
    const reminders = r.notification.reminders ?? [];
    setNotice(
      <>
        {repeated ? "This idempotency id was used before; its first answer: " : "Order accepted: "}
        shipment <Link href={href("shipments", r.notification.shipmentId)}>{r.notification.shipmentId}</Link>
        {reminders.length > 0 && ` with ${reminders.length} reminder${reminders.length > 1 ? "s" : ""}`}.
      </>,
    );
    await load();
  };

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
                    <Link href={href(o.notificationChannel === "Future" ? "shipments" : "orders", o.id)}>{o.id}</Link>
                  </Table.Cell>
                  <Table.Cell>
                    {o.notificationChannel === "Future" ? shipmentChannelText(o) : channelLabel(o.notificationChannel)}
                  </Table.Cell>
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
      <OrderForm
        onSent={sent}
        onChain={chainSent}
        onProblem={(p) => {
          setProblem(p);
          if (p) setNotice(null);
        }}
      />
    </>
  );
}

import { Button, Heading, Link } from "@digdir/designsystemet-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { call, type Problem, seg } from "../api";
import { href } from "../route";
import { lifecycleDescription, statusName } from "../shipment-status";
import { Notice, ProblemAlert, StatusTag, time } from "../ui";
import { type ChainShipment, ShipmentChain } from "./ShipmentChain";
import { type ShipmentRecipient, ShipmentRecipients } from "./ShipmentRecipients";

interface ShipmentBody {
  shipmentId: string;
  sendersReference?: string;
  type: string;
  status: string;
  lastUpdate: string;
  recipients: ShipmentRecipient[];
}

/**
 * A shipment of the current order API (SPEC §5.5): `GET /future/shipment/{id}` for its status and
 * recipients, `GET /list/shipments/{id}/chain` for the main shipment and reminders it belongs to.
 * Cancelling uses v1's `PUT /orders/{id}/cancel`, which takes a shipment id (the current API has none).
 */
export function Shipment({ id }: { id: string }) {
  const [shipment, setShipment] = useState<ShipmentBody | null>(null);
  const [chain, setChain] = useState<ChainShipment[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // The shipment on screen: an answer that arrives after the view moved to another shipment is dropped.
  const current = useRef(id);
  current.current = id;
  const load = useCallback(async () => {
    const s = await call<ShipmentBody>(`/notifications/api/v1/future/shipment/${seg(id)}`);
    if (current.current !== id) return;
    if (!s.ok) return setProblem(s.problem);
    setShipment(s.body);
    const c = await call<{ shipments: ChainShipment[] }>(`/notifications/api/v1/list/shipments/${seg(id)}/chain`);
    if (current.current === id && c.ok) setChain(c.body.shipments);
  }, [id]);
  useEffect(() => {
    setShipment(null);
    setChain(null);
    setProblem(null);
    setNotice(null);
    void load();
  }, [load]);

  const self = chain?.find((c) => c.shipmentId === id);
  const cancel = async () => {
    setProblem(null);
    const r = await call(`/notifications/api/v1/orders/${seg(id)}/cancel`, { method: "PUT" });
    if (!r.ok) return setProblem(r.problem);
    setNotice("The shipment is cancelled.");
    await load();
  };

  return (
    <>
      <Link href={href("orders")}>All orders</Link>
      <Heading level={1} data-size="md">
        Shipment {id}
      </Heading>
      <ProblemAlert problem={problem} />
      {notice && <Notice>{notice}</Notice>}
      {shipment && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusTag status={statusName(shipment.status)} /> {lifecycleDescription(shipment.status)}
            </dd>
            <dt>Type</dt>
            <dd>{shipment.type === "Notification" ? "Main shipment" : shipment.type}</dd>
            <dt>Channel schema</dt>
            <dd>{self?.channelSchema ?? "—"}</dd>
            <dt>Sender's reference</dt>
            <dd className="wrap">{shipment.sendersReference ?? "—"}</dd>
            <dt>Requested send time</dt>
            <dd>{time(self?.requestedSendTime)}</dd>
            <dt>Last update</dt>
            <dd>{time(shipment.lastUpdate)}</dd>
          </dl>
          <div className="row">
            <Button variant="secondary" onClick={() => load()}>
              Refresh
            </Button>
            {self?.processingStatus.status === "Registered" && (
              <Button variant="secondary" data-color="danger" onClick={cancel}>
                Cancel shipment
              </Button>
            )}
          </div>
          <ShipmentRecipients recipients={shipment.recipients} />
        </>
      )}
      {chain && <ShipmentChain shipments={chain} current={id} />}
    </>
  );
}

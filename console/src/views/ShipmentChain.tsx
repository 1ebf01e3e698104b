import { Heading, Link, Table } from "@digdir/designsystemet-react";
import { href } from "../route";
import { StatusTag, time } from "../ui";

export interface ChainShipment {
  shipmentId: string;
  type: string;
  sendersReference: string | null;
  requestedSendTime: string;
  channelSchema: string;
  processingStatus: { status: string; description: string; lastUpdate: string };
}

/** The order chain: the main shipment and its reminders, each linking to its own shipment view. */
export function ShipmentChain({ shipments, current }: { shipments: ChainShipment[]; current: string }) {
  return (
    <section aria-labelledby="chain-heading">
      <Heading level={2} data-size="sm" id="chain-heading">
        Order chain
      </Heading>
      <div className="scroll">
        <Table zebra data-size="sm">
          <caption className="visually-hidden">The main shipment and its reminders</caption>
          <Table.Head>
            <Table.Row>
              <Table.HeaderCell>Shipment</Table.HeaderCell>
              <Table.HeaderCell>Type</Table.HeaderCell>
              <Table.HeaderCell>Channel schema</Table.HeaderCell>
              <Table.HeaderCell>Send time</Table.HeaderCell>
              <Table.HeaderCell>Status</Table.HeaderCell>
              <Table.HeaderCell>Sender's reference</Table.HeaderCell>
            </Table.Row>
          </Table.Head>
          <Table.Body>
            {shipments.map((s) => (
              <Table.Row key={s.shipmentId} data-testid="chain-shipment">
                <Table.Cell className="nowrap">
                  {s.shipmentId === current ? (
                    <span aria-current="page">{s.shipmentId} (this one)</span>
                  ) : (
                    <Link href={href("shipments", s.shipmentId)}>{s.shipmentId}</Link>
                  )}
                </Table.Cell>
                <Table.Cell>{s.type === "Notification" ? "Main" : s.type}</Table.Cell>
                <Table.Cell>{s.channelSchema}</Table.Cell>
                <Table.Cell>{time(s.requestedSendTime)}</Table.Cell>
                <Table.Cell>
                  <StatusTag status={s.processingStatus.status} />
                </Table.Cell>
                <Table.Cell className="wrap">{s.sendersReference ?? "—"}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </div>
    </section>
  );
}

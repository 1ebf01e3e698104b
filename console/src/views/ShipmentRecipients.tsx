import { Heading, Paragraph, Table } from "@digdir/designsystemet-react";
import { lifecycleDescription, statusName } from "../shipment-status";
import { StatusTag, time } from "../ui";

export interface ShipmentRecipient {
  type: string;
  destination: string;
  status: string;
  lastUpdate: string;
}

/** A shipment's recipients: one row per e-mail or SMS, with its status in words. */
export function ShipmentRecipients({ recipients }: { recipients: ShipmentRecipient[] }) {
  return (
    <section aria-labelledby="recipients-heading">
      <Heading level={2} data-size="sm" id="recipients-heading">
        Recipients
      </Heading>
      {recipients.length === 0 ? (
        <Paragraph>No notifications generated yet: they are made at the requested send time.</Paragraph>
      ) : (
        <div className="scroll">
          <Table zebra data-size="sm">
            <caption className="visually-hidden">The shipment's recipients and their status</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell>Channel</Table.HeaderCell>
                <Table.HeaderCell>Destination</Table.HeaderCell>
                <Table.HeaderCell>Status</Table.HeaderCell>
                <Table.HeaderCell>Description</Table.HeaderCell>
                <Table.HeaderCell>Last update</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {recipients.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: recipients have no id; a reserved one has no destination either
                <Table.Row key={`${r.type}-${i}`} data-testid="shipment-recipient">
                  <Table.Cell>{r.type === "Email" ? "E-mail" : r.type}</Table.Cell>
                  <Table.Cell className="wrap">{r.destination || "— (reserved or not found)"}</Table.Cell>
                  <Table.Cell>
                    <StatusTag status={statusName(r.status)} />
                  </Table.Cell>
                  <Table.Cell>{lifecycleDescription(r.status)}</Table.Cell>
                  <Table.Cell>{time(r.lastUpdate)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
    </section>
  );
}

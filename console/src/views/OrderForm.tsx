import { Button, Card, Heading, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useState } from "react";
import { call, type Problem } from "../api";
import { SelectField } from "../ui";

export type Channel = "email" | "sms";

/**
 * One line of the recipients box. E-mail: an address, a national identity number (11 digits) or an
 * organisation number (9 digits). SMS: a mobile number (starting with + or 00), or either number.
 * Anything else goes to the API as an address or mobile number, and the API says what is wrong.
 */
export function recipientOf(line: string, channel: Channel = "email"): Record<string, string> {
  const v = line.trim();
  if (channel === "sms" && /^(\+|00)/.test(v)) return { mobileNumber: v };
  if (/^\d{11}$/.test(v)) return { nationalIdentityNumber: v };
  if (/^\d{9}$/.test(v)) return { organizationNumber: v };
  return channel === "sms" ? { mobileNumber: v } : { emailAddress: v };
}

const RECIPIENTS_LABEL: Record<Channel, string> = {
  email: "Recipients (one a line: e-mail, national identity number or organisation number)",
  sms: "Recipients (one a line: mobile number with country code, national identity number or organisation number)",
};

/** The order's body for POST /orders/email or POST /orders/sms (SPEC §5.1, §5.4). Pure. */
export function orderBody(channel: Channel, d: OrderDraft): Record<string, unknown> {
  const recipients = d.recipients
    .split(/[\n,;]+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => recipientOf(l, channel));
  return {
    recipients,
    ...(channel === "email"
      ? { subject: d.subject, body: d.body }
      : { body: d.body, ...(d.senderNumber ? { senderNumber: d.senderNumber } : {}) }),
    ...(d.sendersReference ? { sendersReference: d.sendersReference } : {}),
    ...(d.resourceId ? { resourceId: d.resourceId } : {}),
    ...(d.requestedSendTime ? { requestedSendTime: d.requestedSendTime } : {}),
  };
}

export interface OrderDraft {
  recipients: string;
  subject: string;
  senderNumber: string;
  body: string;
  sendersReference: string;
  resourceId: string;
  requestedSendTime: string;
}

/** Sends a new e-mail or SMS order; `onSent` gets the new order's id. Problems go to `onProblem`. */
export function OrderForm(props: { onSent: (orderId: string) => void; onProblem: (p: Problem | null) => void }) {
  const [channel, setChannel] = useState<Channel>("email");
  const [draft, setDraft] = useState<OrderDraft>({
    recipients: "",
    subject: "Hello from Varsel",
    senderNumber: "",
    body: "A test notification.",
    sendersReference: "",
    resourceId: "",
    requestedSendTime: "",
  });
  const setD = (k: keyof OrderDraft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });

  const send = async (e: FormEvent) => {
    e.preventDefault();
    props.onProblem(null);
    const r = await call<{ orderId: string }>(`/notifications/api/v1/orders/${channel}`, {
      method: "POST",
      json: orderBody(channel, draft),
    });
    if (!r.ok) return props.onProblem(r.problem);
    props.onSent(r.body.orderId);
  };

  return (
    <Card>
      <form onSubmit={send} className="grid">
        <Heading level={2} data-size="sm" className="span">
          Send a new order
        </Heading>
        <SelectField
          label="Channel"
          value={channel}
          onChange={(v) => setChannel(v as Channel)}
          options={[
            ["email", "E-mail"],
            ["sms", "SMS"],
          ]}
        />
        <Textfield
          label={RECIPIENTS_LABEL[channel]}
          multiline
          rows={3}
          required
          value={draft.recipients}
          onChange={setD("recipients")}
          className="span"
        />
        {channel === "email" ? (
          <Textfield label="Subject" required value={draft.subject} onChange={setD("subject")} />
        ) : (
          <Textfield
            label="Sender (number or name, optional)"
            value={draft.senderNumber}
            onChange={setD("senderNumber")}
          />
        )}
        <Textfield label="Sender's reference" value={draft.sendersReference} onChange={setD("sendersReference")} />
        <Textfield
          label={channel === "email" ? "Body" : "Text"}
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
          <Button type="submit">{channel === "email" ? "Send order" : "Send SMS order"}</Button>
        </div>
      </form>
    </Card>
  );
}

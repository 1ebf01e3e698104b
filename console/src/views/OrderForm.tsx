import { Button, Card, Heading, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, useState } from "react";
import { call, type Problem } from "../api";
import { type Channel, type OrderDraft, orderBody } from "../order-body";
import { SelectField } from "../ui";
import { type ChainReceipt, FutureOrderForm } from "./FutureOrderForm";

const RECIPIENTS_LABEL: Record<Channel, string> = {
  email: "Recipients (one a line: e-mail, national identity number or organisation number)",
  sms: "Recipients (one a line: mobile number with country code, national identity number or organisation number)",
};

/**
 * Sends a new v1 e-mail or SMS order (`onSent` gets its id, problems go to `onProblem`), or a
 * current-API order with reminders (FutureOrderForm; `onChain` gets its answer).
 */
export function OrderForm(props: {
  onSent: (orderId: string) => void;
  onProblem: (p: Problem | null) => void;
  onChain: (r: ChainReceipt, repeated: boolean) => void;
}) {
  const [channel, setChannel] = useState<Channel | "future">("email");
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
    if (channel === "future") return;
    const r = await call<{ orderId: string }>(`/notifications/api/v1/orders/${channel}`, {
      method: "POST",
      json: orderBody(channel, draft),
    });
    if (!r.ok) return props.onProblem(r.problem);
    props.onSent(r.body.orderId);
  };

  const picker = (
    <SelectField
      label="Channel"
      value={channel}
      onChange={(v) => {
        props.onProblem(null);
        setChannel(v as Channel | "future");
      }}
      options={[
        ["email", "E-mail"],
        ["sms", "SMS"],
        ["future", "Current API (with reminders)"],
      ]}
    />
  );
  if (channel === "future") return <FutureOrderForm picker={picker} onSent={props.onChain} />;
  return (
    <Card>
      <form onSubmit={send} className="grid">
        <Heading level={2} data-size="sm" className="span">
          Send a new order
        </Heading>
        {picker}
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

import { Button, Card, Heading, Paragraph, Textfield } from "@digdir/designsystemet-react";
import { type FormEvent, type ReactNode, useState } from "react";
import { call, type Problem } from "../api";
import { type FieldKey, type FutureDraft, fieldErrors, futureBody, type ReminderDraft } from "../future-body";
import { ProblemAlert } from "../ui";
import { ReminderFields } from "./ReminderFields";
import { ShipmentFields } from "./ShipmentFields";

export interface ChainReceipt {
  notificationOrderId: string;
  notification: { shipmentId: string; reminders?: { shipmentId: string }[] };
}

const fresh = (): FutureDraft => ({
  kind: "email",
  destination: "",
  channelSchema: "EmailPreferred",
  resourceId: "",
  subject: "Hello from Varsel",
  emailBody: "A test notification.",
  smsSender: "",
  smsBody: "A test notification.",
  smsPolicy: "Daytime",
  sendersReference: "",
  idempotencyId: crypto.randomUUID(),
  requestedSendTime: "",
  reminders: [],
});

/** A new reminder starts as a copy of the main shipment's recipient and message, a day later. */
function reminderFrom(d: FutureDraft): ReminderDraft {
  const { idempotencyId: _i, requestedSendTime: _t, reminders: _r, ...shipment } = d;
  return { ...shipment, sendersReference: "", when: "delayDays", delayDays: "1", requestedSendTime: "" };
}

/**
 * Sends `POST /future/orders` (SPEC §5.5): one recipient, its settings, reminders. A 400's errors are
 * shown on the fields they name; `onSent` gets the 201 (or, for a repeated idempotency id, 200) answer.
 */
export function FutureOrderForm(props: { picker: ReactNode; onSent: (r: ChainReceipt, repeated: boolean) => void }) {
  const [draft, setDraft] = useState<FutureDraft>(fresh);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  /** A changed field's problem is gone: it named the old value. */
  const clear = (scope: string, p: object) =>
    setErrors((e) =>
      Object.fromEntries(Object.entries(e).filter(([k]) => !Object.keys(p).some((f) => k === `${scope}.${f}`))),
    );
  const patch = (p: Partial<FutureDraft>) => {
    clear("main", p);
    setDraft((d) => ({ ...d, ...p }));
  };
  const patchReminder = (i: number) => (p: Partial<ReminderDraft>) => {
    clear(`reminder${i}`, p);
    setDraft((d) => ({ ...d, reminders: d.reminders.map((r, j) => (j === i ? { ...r, ...p } : r)) }));
  };
  const removeReminder = (i: number) => () =>
    setDraft((d) => ({ ...d, reminders: d.reminders.filter((_, j) => j !== i) }));

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setErrors({});
    const r = await call<ChainReceipt>("/notifications/api/v1/future/orders", {
      method: "POST",
      json: futureBody(draft),
    });
    if (!r.ok) {
      const { fields, other } = fieldErrors(r.problem?.errors, draft);
      setErrors(fields);
      const marked = Object.keys(fields).length ? " The fields concerned say what is wrong." : "";
      return setProblem({ ...r.problem, errors: other, detail: `${r.problem?.detail ?? ""}${marked}`.trim() });
    }
    props.onSent(r.body, r.status === 200);
    setDraft((d) => ({ ...d, idempotencyId: crypto.randomUUID() }));
  };

  return (
    <Card>
      <form onSubmit={send} className="grid" aria-labelledby="future-form-heading">
        <Heading level={2} data-size="sm" className="span" id="future-form-heading">
          Send a new order
        </Heading>
        {props.picker}
        <Paragraph className="span" data-size="sm">
          The current order API: one recipient, a channel schema, and reminders that are shipments of their own.
        </Paragraph>
        <Textfield
          label="Idempotency id (the same id again returns the first answer)"
          required
          value={draft.idempotencyId}
          onChange={(e) => patch({ idempotencyId: e.target.value })}
          error={errors["main.idempotencyId"]}
        />
        <Textfield
          label="Requested send time (RFC 3339 with zone, optional)"
          value={draft.requestedSendTime}
          onChange={(e) => patch({ requestedSendTime: e.target.value })}
          error={errors["main.requestedSendTime"]}
        />
        <ShipmentFields value={draft} onChange={patch} scope="main" errors={errors} />
        {draft.reminders.map((r, i) => (
          <ReminderFields
            // biome-ignore lint/suspicious/noArrayIndexKey: reminders have no id of their own; the index is their name
            key={i}
            index={i}
            value={r}
            onChange={patchReminder(i)}
            onRemove={removeReminder(i)}
            errors={errors}
          />
        ))}
        <div className="span row">
          <Button
            type="button"
            variant="secondary"
            onClick={() => setDraft((d) => ({ ...d, reminders: [...d.reminders, reminderFrom(d)] }))}
          >
            Add reminder
          </Button>
          <Button type="submit">Send order with the current API</Button>
        </div>
        <div className="span">
          <ProblemAlert problem={problem} />
        </div>
      </form>
    </Card>
  );
}

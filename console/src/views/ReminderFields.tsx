import { Button, Fieldset, Textfield } from "@digdir/designsystemet-react";
import type { FieldKey, ReminderDraft } from "../future-body";
import { SelectField } from "../ui";
import { ShipmentFields } from "./ShipmentFields";

/** One reminder: when (days after the main send time, or a time of its own) and its own shipment. */
export function ReminderFields(props: {
  index: number;
  value: ReminderDraft;
  onChange: (patch: Partial<ReminderDraft>) => void;
  onRemove: () => void;
  errors: Partial<Record<FieldKey, string>>;
}) {
  const r = props.value;
  const scope = `reminder${props.index}`;
  const err = (f: string) => props.errors[`${scope}.${f}` as FieldKey];
  return (
    <Fieldset className="span grant reminder">
      <Fieldset.Legend>Reminder {props.index + 1}</Fieldset.Legend>
      <div className="grid">
        <SelectField
          label="Sent"
          value={r.when}
          onChange={(v) => props.onChange({ when: v as ReminderDraft["when"] })}
          options={[
            ["delayDays", "Days after the main send time"],
            ["requestedSendTime", "At a time of its own"],
          ]}
          error={err("when")}
        />
        {r.when === "delayDays" ? (
          <Textfield
            label="Delay (days, at least 1)"
            inputMode="numeric"
            required
            value={r.delayDays}
            onChange={(e) => props.onChange({ delayDays: e.target.value })}
            error={err("delayDays")}
          />
        ) : (
          <Textfield
            label="Send time (RFC 3339 with zone)"
            required
            value={r.requestedSendTime}
            onChange={(e) => props.onChange({ requestedSendTime: e.target.value })}
            error={err("requestedSendTime")}
          />
        )}
        <ShipmentFields value={r} onChange={props.onChange} scope={scope} errors={props.errors} />
        <div className="span">
          <Button type="button" variant="secondary" data-size="sm" onClick={props.onRemove}>
            Remove reminder {props.index + 1}
          </Button>
        </div>
      </div>
    </Fieldset>
  );
}

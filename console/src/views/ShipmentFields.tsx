import { Textfield } from "@digdir/designsystemet-react";
import {
  CHANNEL_SCHEMAS,
  channelsOf,
  type FieldKey,
  type FieldName,
  type RecipientKind,
  type ShipmentDraft,
} from "../future-body";
import { SelectField } from "../ui";

const KINDS: [RecipientKind, string][] = [
  ["email", "E-mail address"],
  ["sms", "Mobile number"],
  ["person", "National identity number"],
  ["organization", "Organisation number"],
];
const DESTINATION: Record<RecipientKind, string> = {
  email: "E-mail address",
  sms: "Mobile number (with country code, +47… or 0047…)",
  person: "National identity number (11 digits)",
  organization: "Organisation number (9 digits)",
};

/**
 * One shipment's recipient and message (the main order's or a reminder's): the settings shown are
 * the ones its recipient and channel schema need. `scope` names its problems (`main`, `reminder0`).
 */
export function ShipmentFields(props: {
  value: ShipmentDraft;
  onChange: (patch: Partial<ShipmentDraft>) => void;
  scope: string;
  errors: Partial<Record<FieldKey, string>>;
}) {
  const d = props.value;
  const err = (f: FieldName) => props.errors[`${props.scope}.${f}` as FieldKey];
  const text = (f: keyof ShipmentDraft & FieldName) => ({
    value: String(d[f]),
    onChange: (e: { target: { value: string } }) => props.onChange({ [f]: e.target.value }),
    error: err(f),
  });
  const need = channelsOf(d);
  const lookedUp = d.kind === "person" || d.kind === "organization";
  return (
    <>
      <SelectField
        label="Recipient"
        value={d.kind}
        onChange={(v) => props.onChange({ kind: v as RecipientKind })}
        options={KINDS}
      />
      <Textfield label={DESTINATION[d.kind]} required {...text("destination")} />
      {lookedUp && (
        <>
          <SelectField
            label="Channel schema"
            value={d.channelSchema}
            onChange={(v) => props.onChange({ channelSchema: v as ShipmentDraft["channelSchema"] })}
            options={CHANNEL_SCHEMAS.map((s) => [s, s])}
            error={err("channelSchema")}
          />
          <Textfield
            label={`Resource id (urn:altinn:resource:…${d.kind === "person" ? ", optional" : ""})`}
            {...text("resourceId")}
          />
        </>
      )}
      {need.email && (
        <>
          <Textfield label="E-mail subject" required {...text("subject")} />
          <Textfield label="E-mail body" multiline rows={3} required {...text("emailBody")} />
        </>
      )}
      {need.sms && (
        <>
          <Textfield label="SMS sender (optional)" {...text("smsSender")} />
          <Textfield label="SMS text" multiline rows={2} required {...text("smsBody")} />
          <SelectField
            label="SMS sending time policy"
            value={d.smsPolicy}
            onChange={(v) => props.onChange({ smsPolicy: v as ShipmentDraft["smsPolicy"] })}
            options={[
              ["Daytime", "Daytime (only within the SMS day window)"],
              ["Anytime", "Anytime"],
            ]}
            error={err("smsPolicy")}
          />
        </>
      )}
      <Textfield label="Sender's reference (optional)" {...text("sendersReference")} />
    </>
  );
}

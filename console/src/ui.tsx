// Small shared pieces: problem display, a field for <select>, status tags, times.
import { Alert, Field, Heading, Label, Paragraph, Select, Tag, ValidationMessage } from "@digdir/designsystemet-react";
import type { ReactNode } from "react";
import type { Problem } from "./api";

export function ProblemAlert({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  const errors = Object.entries(problem.errors ?? {});
  return (
    <Alert data-color="danger" role="alert">
      <Heading level={3} data-size="xs">
        {problem.status ? `${problem.status} ` : ""}
        {problem.title ?? "Request failed"}
      </Heading>
      {problem.detail && <Paragraph>{problem.detail}</Paragraph>}
      {errors.length > 0 && (
        <ul>
          {errors.map(([k, msgs]) => (
            <li key={k}>
              {k}: {msgs.join(" ")}
            </li>
          ))}
        </ul>
      )}
      {problem.traceId && <Paragraph data-size="sm">Trace id: {problem.traceId}</Paragraph>}
    </Alert>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <Alert data-color="success" role="status">
      {children}
    </Alert>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  /** A problem's message for this field, shown under it. */
  error?: string;
}) {
  return (
    <Field>
      <Label>{props.label}</Label>
      <Select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
      >
        {props.options.map(([value, text]) => (
          <Select.Option key={value} value={value}>
            {text}
          </Select.Option>
        ))}
      </Select>
      {props.error && <ValidationMessage>{props.error}</ValidationMessage>}
    </Field>
  );
}

const COLORS: Record<string, "success" | "danger" | "warning" | "info" | "neutral"> = {
  delivered: "success",
  Delivered: "success",
  Succeeded: "success",
  Completed: "success",
  validated: "success",
  Healthy: "success",
  Degraded: "warning",
  failed: "danger",
  disabled: "danger",
  Cancelled: "warning",
  pending: "info",
  Accepted: "info",
  Sending: "info",
  Processing: "info",
  Processed: "info",
  Registered: "neutral",
};

export function StatusTag({ status }: { status: string }) {
  const color = COLORS[status] ?? (/^Failed/.test(status) ? "danger" : "neutral");
  return <Tag data-color={color}>{status}</Tag>;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z");
}

/** An order's channel as the API names it (`Email`, `Sms`), in words. */
export function channelLabel(channel: string): string {
  return ({ Email: "E-mail", Sms: "SMS" } as Record<string, string>)[channel] ?? channel;
}

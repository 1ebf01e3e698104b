import { Button, Heading, Paragraph } from "@digdir/designsystemet-react";
import { useCallback, useEffect, useState } from "react";
import { call, type Problem } from "../api";
import { ProblemAlert, StatusTag } from "../ui";

interface HealthBody {
  status: string;
  storage?: string;
  time?: string;
  checks?: Record<string, unknown>;
}

/** The API says `ok` or `degraded` (older versions: `Healthy`); the page says it in words. */
const WORDS: Record<string, string> = { ok: "Healthy", Healthy: "Healthy", degraded: "Degraded" };

/** GET /health: the service's own checks (§7.5), as an operator reads them. */
export function Health() {
  const [health, setHealth] = useState<HealthBody | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(async () => {
    const r = await call<HealthBody>("/health");
    if (r.ok) {
      setHealth(r.body);
      setProblem(null);
    } else setProblem(r.problem);
  }, []);
  useEffect(() => void load(), [load]);
  return (
    <>
      <Heading level={1} data-size="md">
        Health
      </Heading>
      <ProblemAlert problem={problem} />
      {health && (
        <>
          <Paragraph>
            Status: <StatusTag status={WORDS[health.status] ?? health.status} />
          </Paragraph>
          <dl className="facts">
            {Object.entries({ storage: health.storage, time: health.time, ...(health.checks ?? {}) })
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => (
                <div key={k} className="fact">
                  <dt>{k}</dt>
                  <dd className="wrap">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
                </div>
              ))}
          </dl>
        </>
      )}
      <Button variant="secondary" onClick={() => load()}>
        Check again
      </Button>
    </>
  );
}

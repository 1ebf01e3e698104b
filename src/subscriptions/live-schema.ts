/** The live stream's body (text/event-stream), for /openapi.json: one `attempt` event per push attempt. */
import { z } from "zod";

export const liveStreamResponse = z.string().meta({
  description:
    "Server-Sent Events: `event: attempt` with `data:` `{eventId, attempt, statusCode, durationMs, error, outcome, time}`",
  examples: [
    'event: attempt\ndata: {"eventId":"f276d3da-9b72-492b-9fee-9cf71e2826a2","attempt":1,"statusCode":200,"durationMs":41,"error":null,"outcome":"delivered","time":"2026-11-29T10:00:00Z"}\n\n',
  ],
});

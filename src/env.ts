/** Bindings and variables the Worker reads. Every variable is a string: parse where it is used. */
export interface Env {
  DB: D1Database;
  EVENTS_QUEUE: Queue<unknown>;
  EMAIL_QUEUE: Queue<unknown>;
  SMS_QUEUE: Queue<unknown>;
  SUBSCRIPTION_DO: DurableObjectNamespace;
  /** The partitioned event log (docs/event-log.md): a head per resource and per party, segments, guards by hash. */
  EVENT_LOG_DO: DurableObjectNamespace;
  ID_GUARD_DO: DurableObjectNamespace;
  /**
   * Which event log serves publishes and reads: "objects" (the default, the partitioned log, used once
   * the backfill has copied the D1 log) or "d1" (the one D1 table; docs/event-log.md).
   */
  EVENT_LOG?: string;
  /** How long an event stays in its resource's head object before it moves to a segment (default `10m`). */
  EVENT_LOG_ARCHIVE_AFTER?: string;
  /** Bytes of events after which a segment takes no more (default 2,000,000,000). */
  EVENT_LOG_SEGMENT_BYTES?: string;
  /** The console's static assets (wrangler.toml `[assets]`, built from console/); absent in unit tests. */
  ASSETS?: Fetcher;
  /** Local development only: the private JWK the console's dev sign-in mints tokens with (SPEC §8). */
  DEV_SIGNING_JWK?: string;

  /** Inline JWKS JSON trusted for Altinn tokens (never for Platform Access Tokens). */
  AUTH_JWKS?: string;
  /** Alternatively a JWKS URL. */
  AUTH_JWKS_URL?: string;
  /** Comma-separated allow-list of `iss` values for Altinn tokens. */
  AUTH_ISSUERS?: string;
  /** Comma-separated allow-list of algorithms (RS256, ES256). */
  AUTH_ALGORITHMS?: string;
  /** Comma-separated allow-list of org codes that may issue Platform Access Tokens; empty = any org code. */
  PLATFORM_ISSUERS?: string;
  /**
   * Keys per issuer of Platform Access Tokens (SPEC §2): JSON `{"<org>": JWKS}`. The key `"*"` maps every
   * org to one JWKS: local development and tests only, never production.
   */
  PLATFORM_JWKS?: string;
  /** Alternatively a JWKS URL with `{org}` in it, fetched per issuing org. */
  PLATFORM_JWKS_URL?: string;
  /** Subscriptions one consumer may hold (SPEC §4.4); default 100. */
  MAX_SUBSCRIPTIONS_PER_CONSUMER?: string;

  ALLOW_INSECURE_ENDPOINTS?: string;
  PUSH_RETRY_SCHEDULE?: string;
  VALIDATION_RETRY_SCHEDULE?: string;
  /** Seconds an endpoint has to answer a push (default 30, SPEC §4.5); shorter only for tests. */
  PUSH_TIMEOUT_SECONDS?: string;
  /** Durable Object hand-overs per matcher invocation (src/delivery/carry-over.ts); default 500. */
  MATCHER_MAX_HANDOVERS?: string;

  EMAIL_PROVIDER?: string;
  SMTP_HOST?: string;
  SMTP_PORT?: string;
  EMAIL_FROM?: string;
  EMAIL_API_URL?: string;
  EMAIL_API_KEY?: string;
  EMAIL_WEBHOOK_SECRET?: string;
  /** SMTP provider: credentials (secrets), STARTTLS on/off, per-reply timeout. */
  SMTP_USER?: string;
  SMTP_PASSWORD?: string;
  SMTP_STARTTLS?: string;
  SMTP_TIMEOUT_MS?: string;
  /** "true" mounts the e-mail provider test routes (`/__test/email/*`); tests only, never in production. */
  VARSEL_TEST_ROUTES?: string;
  /** Comma-separated seconds between attempts after a transient e-mail provider failure. */
  EMAIL_RETRY_SCHEDULE?: string;

  /** SMS (SPEC §5.7): provider (`linkmobility`), the PSWin XML gateway and its credentials. */
  SMS_PROVIDER?: string;
  SMS_GATEWAY_URL?: string;
  SMS_GATEWAY_USER?: string;
  SMS_GATEWAY_PASSWORD?: string;
  /** HTTP Basic credentials the gateway uses for delivery reports; unset = every report is 401. */
  SMS_REPORT_USER?: string;
  SMS_REPORT_PASSWORD?: string;
  /** The Daytime window `HH-HH` (default 09-17, 00-24 = always) and its time zone (default Europe/Oslo). */
  SMS_DAYTIME?: string;
  SMS_TIME_ZONE?: string;
  /** Comma-separated seconds between attempts after a transient gateway failure. */
  SMS_RETRY_SCHEDULE?: string;
  /** Default sender when an order names none (default `Altinn`). */
  SMS_DEFAULT_SENDER?: string;

  /** Retention durations (SPEC §7.2): `90d`, `12h`, `30m`, `30s`; read by src/retention/settings.ts. */
  RETENTION_EVENTS?: string;
  RETENTION_DELIVERIES?: string;
  RETENTION_ORDERS?: string;
}

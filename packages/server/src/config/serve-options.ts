/**
 * Every setting of `qrlog serve`: its flag, its environment variable and its default. The one
 * table that the argument parser, the help text and the error messages are made from.
 */
export interface ServeOption {
  /** Key in the raw configuration handed to the schema. */
  key: string;
  flag: string;
  env: string;
  /** Takes no value on the command line (`--trust-proxy` alone means true). */
  boolean?: boolean;
  /** The value is a secret: never echoed in error messages or help. */
  secret?: boolean;
  defaultValue?: string;
  help: string;
}

export const SERVE_OPTIONS = [
  { key: 'dataDir', flag: 'data-dir', env: 'QRLOG_DATA_DIR', defaultValue: './data', help: 'directory for the SQLite database and the generated TLS certificate' },
  { key: 'databaseUrl', flag: 'database-url', env: 'DATABASE_URL', secret: true, help: 'postgres://… to run on PostgreSQL instead of SQLite' },
  { key: 'host', flag: 'host', env: 'QRLOG_HOST', defaultValue: '0.0.0.0', help: 'address to listen on' },
  { key: 'port', flag: 'port', env: 'QRLOG_PORT', defaultValue: '8443', help: 'HTTPS port (0 = any free port)' },
  { key: 'httpPort', flag: 'http-port', env: 'QRLOG_HTTP_PORT', defaultValue: '8080', help: 'plain-HTTP port that only redirects to HTTPS (0 = off)' },
  { key: 'tlsCert', flag: 'tls-cert', env: 'QRLOG_TLS_CERT', help: 'PEM certificate (chain) file; without it a self-signed one is made in <data-dir>/tls' },
  { key: 'tlsKey', flag: 'tls-key', env: 'QRLOG_TLS_KEY', help: 'PEM private key file belonging to --tls-cert' },
  { key: 'trustProxy', flag: 'trust-proxy', env: 'QRLOG_TRUST_PROXY', defaultValue: 'false', help: 'trust X-Forwarded-* from a TLS-terminating proxy: true, a hop count, or comma-separated addresses/CIDRs' },
  { key: 'publicUrl', flag: 'public-url', env: 'QRLOG_PUBLIC_URL', help: 'https://host[:port] the service is reached at (redirect target, printed URL)' },
  { key: 'logLevel', flag: 'log-level', env: 'QRLOG_LOG_LEVEL', defaultValue: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
  { key: 'addressRate', flag: 'rate-per-address', env: 'QRLOG_RATE_PER_ADDRESS', defaultValue: '120', help: 'links per minute accepted from one source address (0 = unlimited)' },
  { key: 'addressBurst', flag: 'burst-per-address', env: 'QRLOG_BURST_PER_ADDRESS', defaultValue: '60', help: 'links one source address may send at once before the per-minute rate applies' },
  { key: 'securityLogRowsPerMinute', flag: 'security-log-rows-per-minute', env: 'QRLOG_SECURITY_LOG_ROWS_PER_MINUTE', defaultValue: '100', help: 'security-log rows written per minute at most, all sources together; beyond, refusals are only counted in an overflow row' },
  { key: 'securityLogRetentionDays', flag: 'security-log-retention-days', env: 'QRLOG_SECURITY_LOG_RETENTION_DAYS', defaultValue: '90', help: 'days the security log keeps a row after its last refusal (removal is audited)' },
  { key: 'blockAfter', flag: 'block-after', env: 'QRLOG_BLOCK_AFTER', defaultValue: '30', help: 'forged links from one source (IPv4 address, IPv6 /64) within --block-window that block it from the scan routes (0 = never block)' },
  { key: 'blockWindow', flag: 'block-window', env: 'QRLOG_BLOCK_WINDOW', defaultValue: '60', help: 'seconds over which --block-after forged links are counted' },
  { key: 'blockMinutes', flag: 'block-minutes', env: 'QRLOG_BLOCK_MINUTES', defaultValue: '15', help: 'minutes a first block lasts; each repeat within a day lasts twice as long' },
  { key: 'blockMaxMinutes', flag: 'block-max-minutes', env: 'QRLOG_BLOCK_MAX_MINUTES', defaultValue: '1440', help: 'the longest a block lasts, however often repeated' },
  { key: 'maxBatch', flag: 'max-batch', env: 'QRLOG_MAX_BATCH', defaultValue: '100', help: 'most links in one POST /api/v1/scans' },
  { key: 'locationWindow', flag: 'location-window', env: 'QRLOG_LOCATION_WINDOW', defaultValue: '600', help: 'seconds after a scan during which its page may attach the phone\'s location' },
  { key: 'metricsToken', flag: 'metrics-token', env: 'QRLOG_METRICS_TOKEN', secret: true, help: 'bearer token for /metrics from other than loopback (unset: loopback only)' },
  { key: 'oidcIssuer', flag: 'oidc-issuer', env: 'QRLOG_OIDC_ISSUER', help: 'issuer URL of an external OpenID Connect provider (unset: the embedded provider at <public-url>/oidc)' },
  { key: 'oidcClientId', flag: 'oidc-client-id', env: 'QRLOG_OIDC_CLIENT_ID', help: 'client id of this service at the external provider' },
  { key: 'oidcClientSecret', flag: 'oidc-client-secret', env: 'QRLOG_OIDC_CLIENT_SECRET', secret: true, help: 'client secret at the external provider (prefer the environment variable)' },
  { key: 'oidcAudience', flag: 'oidc-audience', env: 'QRLOG_OIDC_AUDIENCE', help: 'audience API access tokens of the external provider carry (default <public-url>/api)' },
  { key: 'oidcTokenAuth', flag: 'oidc-token-auth', env: 'QRLOG_OIDC_TOKEN_AUTH', defaultValue: 'client_secret_basic', help: 'how the service authenticates at the provider\'s token endpoint: client_secret_basic or client_secret_post' },
  { key: 'oidcFreshAcr', flag: 'oidc-fresh-acr', env: 'QRLOG_OIDC_FRESH_ACR', help: 'acr_values asked of the external provider for a fresh sign-in before an emergency key export (e.g. its multi-factor class; unset: none asked)' },
  { key: 'oidcCaFile', flag: 'oidc-ca-file', env: 'QRLOG_OIDC_CA_FILE', help: 'PEM file of CA certificates trusted for the external provider, besides the system\'s' },
  { key: 'oidcRequireEmailVerified', flag: 'oidc-require-email-verified', env: 'QRLOG_OIDC_REQUIRE_EMAIL_VERIFIED', defaultValue: 'true', help: 'false: an external provider\'s e-mail without an email_verified claim counts as verified for invitations (for providers that never send it; see docs/sign-in-auth0.md for the risk)' },
  { key: 'oidcOperators', flag: 'oidc-operators', env: 'QRLOG_OIDC_OPERATORS', help: 'platform operators at the external provider: comma-separated verified e-mail addresses or sub:<subject>' },
  { key: 'oidcProvisioning', flag: 'oidc-provisioning', env: 'QRLOG_OIDC_PROVISIONING', help: 'JSON list of rules that place people in an organization at sign-in, by claim ({"claim","value","org","role"}) or verified e-mail domain ({"emailDomain","org","role"}); unset: invitations only' },
  { key: 'oidcMachineClients', flag: 'oidc-machine-clients', env: 'QRLOG_OIDC_MACHINE_CLIENTS', help: 'JSON object: client id of a machine client at the provider → {"org","scopes"}; its client-credentials access tokens may call the API' },
  { key: 'sessionIdleMinutes', flag: 'session-idle', env: 'QRLOG_SESSION_IDLE_MINUTES', defaultValue: '120', help: 'minutes without use after which a browser session ends' },
  { key: 'sessionMaxHours', flag: 'session-max', env: 'QRLOG_SESSION_MAX_HOURS', defaultValue: '12', help: 'hours after sign-in at which a browser session ends however active' },
  { key: 'smtpUrl', flag: 'smtp-url', env: 'QRLOG_SMTP_URL', secret: true, help: 'smtp://[user:pass@]host[:port] (STARTTLS) or smtps://… for invitation, reset and notification mails (unset: they go to the log)' },
  { key: 'checkpointInterval', flag: 'checkpoint-interval', env: 'QRLOG_CHECKPOINT_INTERVAL', defaultValue: '60', help: 'minutes between signed checkpoints of the evidence chains, written to QRLOG_CHECKPOINT_DIR (0 = only `qrlog checkpoints create`)' },
  { key: 'webDir', flag: 'web-dir', env: 'QRLOG_WEB_DIR', help: 'the built web app served under /app/ (default: the @qrlog/web package\'s dist, made by `npm run build`)' },
  { key: 'smtpFrom', flag: 'smtp-from', env: 'QRLOG_SMTP_FROM', help: 'sender address of those mails (default qrlog@<public-url host>)' },
  { key: 'notificationInterval', flag: 'notification-interval', env: 'QRLOG_NOTIFICATION_INTERVAL', defaultValue: '30', help: 'seconds between looks at the notification outbox and at the alerts due a mail (mails are sent only from the outbox, never in a request)' },
] as const satisfies readonly ServeOption[];

export type ServeOptionKey = (typeof SERVE_OPTIONS)[number]['key'];

export function serveHelp(): string {
  const lines = SERVE_OPTIONS.map((o) => {
    const def = 'defaultValue' in o ? ` (default ${o.defaultValue})` : '';
    return `  --${o.flag.padEnd(18)} ${o.env.padEnd(24)} ${o.help}${def}`;
  });
  return [
    'usage: qrlog serve [options]',
    '',
    '  flag                 environment',
    ...lines,
    '  --help               this text',
    '',
    'Key-encryption keys come from QRLOG_KEK (+ QRLOG_KEK_LABEL) or QRLOG_KEK_FILE; without either,',
    'from <data-dir>/kek.json, created on first start. Keep it apart from the database backups.',
    '',
    'PostgreSQL: DATABASE_URL is the schema owner\'s login (migrations); the service itself logs in as',
    'DATABASE_SERVICE_URL, a role with only its grants (QRLOG_DB_SERVICE_ROLE names it; see ADR 11).',
    '',
    'Signed checkpoints (docs/evidence.md) need QRLOG_CHECKPOINT_KEY_FILE (or QRLOG_CHECKPOINT_KEY) and',
    'QRLOG_CHECKPOINT_DIR, both outside the data directory; without them nothing is signed.',
    '',
  ].join('\n');
}

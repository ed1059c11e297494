// Every setting of Sundial, declared once: default, environment variable, help text and parser.
// `sundial serve --help` and docs/configuration.md are generated from / checked against this
// table; no other module reads process.env.

export interface Option<T> {
  env: string;
  flag: string;
  default: T;
  help: string;
  parse: (raw: string) => T;
}

function integer(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`expected an integer between ${min} and ${max}, got "${raw}"`);
    return n;
  };
}
const text = (raw: string): string => raw;
const optionalText = (raw: string): string | null => (raw === '' ? null : raw);
function oneOf<T extends string>(...values: T[]) {
  return (raw: string): T => {
    if (!(values as string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}
/** A PostgreSQL connection URL (libpq's URI form, https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING); empty = none. */
function databaseUrl(raw: string): string | null {
  if (raw === '') return null;
  if (!/^postgres(?:ql)?:\/\//i.test(raw)) throw new Error(`expected a postgres:// or postgresql:// URL, got "${raw.replace(/\/\/[^@/]*@/, '//…@')}"`);
  return raw;
}
function bool(raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
}

export const options = {
  host: { env: 'SUNDIAL_HOST', flag: '--host', default: 'localhost', help: 'Address to listen on (0.0.0.0 for all interfaces).', parse: text },
  port: { env: 'SUNDIAL_PORT', flag: '--port', default: 8008, help: 'TCP port to listen on (0 picks a free port).', parse: integer(0, 65535) },
  dataDir: { env: 'SUNDIAL_DATA', flag: '--data', default: './data', help: 'Directory holding the SQLite database (sundial.db).', parse: text },
  databaseUrl: {
    env: 'SUNDIAL_DATABASE_URL', flag: '--database-url', default: null as string | null,
    help: 'PostgreSQL instead of SQLite: postgres://user:password@host:port/database. Default: the SQLite database in the data folder.',
    parse: databaseUrl,
  },
  databaseConnectTimeoutSeconds: {
    env: 'SUNDIAL_DATABASE_CONNECT_TIMEOUT_SECONDS', flag: '--database-connect-timeout', default: 5,
    help: 'PostgreSQL only: how long opening a connection to the database may take; past it the request answers 503 with Retry-After.',
    parse: integer(1, 300),
  },
  databaseRetryAfterSeconds: {
    env: 'SUNDIAL_DATABASE_RETRY_AFTER_SECONDS', flag: '--database-retry-after', default: 5,
    help: 'The Retry-After (seconds) of the 503 answers given while the database cannot be reached (PostgreSQL restarting, network cut) or, on SQLite, while another process holds the write lock for more than 5 s.',
    parse: integer(1, 3600),
  },
  baseUrl: {
    env: 'SUNDIAL_BASE_URL', flag: '--base-url', default: null as string | null,
    help: 'Public URL of the server as clients reach it (e.g. https://cal.example.com); used for feed links and the Apple profile. Default: derived from the request.',
    parse: optionalText,
  },
  logLevel: { env: 'SUNDIAL_LOG_LEVEL', flag: '--log-level', default: 'info', help: 'Log level: fatal, error, warn, info, debug, trace or silent.', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent') },
  trustProxy: { env: 'SUNDIAL_TRUST_PROXY', flag: '--trust-proxy', default: false, help: 'Trust X-Forwarded-For/-Proto from a reverse proxy (client address for throttling, scheme for links).', parse: bool },
  maxResourceSize: { env: 'SUNDIAL_MAX_RESOURCE_SIZE', flag: '--max-resource-size', default: 10 * 1024 * 1024, help: 'Largest calendar object or file accepted by PUT, in bytes (CalDAV max-resource-size).', parse: integer(1024, 1024 * 1024 * 1024) },
  maxXmlSize: { env: 'SUNDIAL_MAX_XML_SIZE', flag: '--max-xml-size', default: 1024 * 1024, help: 'Largest XML request body (PROPFIND, PROPPATCH, REPORT), in bytes.', parse: integer(1024, 64 * 1024 * 1024) },
  maxMultigetHrefs: { env: 'SUNDIAL_MAX_MULTIGET_HREFS', flag: '--max-multiget-hrefs', default: 1000, help: 'Most hrefs accepted in one calendar-multiget or addressbook-multiget REPORT (or the addressed collection\'s member count, if larger).', parse: integer(1, 100000) },
  maxDeadProperties: { env: 'SUNDIAL_MAX_DEAD_PROPERTIES', flag: '--max-dead-properties', default: 200, help: 'Most dead (client-defined) properties one resource may hold; PROPPATCH beyond it is refused with 507 for those properties.', parse: integer(1, 100000) },
  maxPropertySize: { env: 'SUNDIAL_MAX_PROPERTY_SIZE', flag: '--max-property-size', default: 64 * 1024, help: 'Largest value of one property set by PROPPATCH (the property element as sent, in bytes); larger ones are refused with 507.', parse: integer(256, 64 * 1024 * 1024) },
  maxInstances: { env: 'SUNDIAL_MAX_INSTANCES', flag: '--max-instances', default: 10000, help: 'Most recurrence instances one event or to-do may expand to while a calendar-query, expand or free-busy-query is evaluated; past it the report answers 403 (CalDAV max-instances).', parse: integer(1, 10000000) },
  maxObjectComponents: { env: 'SUNDIAL_MAX_OBJECT_COMPONENTS', flag: '--max-object-components', default: 1000, help: 'Most components (events, overrides, alarms, time zones) in one calendar object; PUT of a larger one answers 403 (CalDAV valid-calendar-data).', parse: integer(1, 1000000) },
  maxObjectProperties: { env: 'SUNDIAL_MAX_OBJECT_PROPERTIES', flag: '--max-object-properties', default: 10000, help: 'Most property lines in one calendar object; PUT of a larger one answers 403 (CalDAV valid-calendar-data).', parse: integer(1, 10000000) },
  maxRecurrenceRules: { env: 'SUNDIAL_MAX_RECURRENCE_RULES', flag: '--max-recurrence-rules', default: 4, help: 'Most RRULE/EXRULE lines in one component of a calendar object; PUT of more answers 403 (CalDAV valid-calendar-data).', parse: integer(1, 1000) },
  maxRecurrenceDates: { env: 'SUNDIAL_MAX_RECURRENCE_DATES', flag: '--max-recurrence-dates', default: 1000, help: 'Most RDATE/EXDATE values in one calendar object; PUT of more answers 403 (CalDAV valid-calendar-data).', parse: integer(1, 1000000) },
  maxEvaluationMs: { env: 'SUNDIAL_MAX_EVALUATION_MS', flag: '--max-evaluation-ms', default: 2000, help: 'Most processor time, in milliseconds, the evaluation of one calendar object may take in a calendar-query, expand or free-busy-query, or of one long card in an addressbook-query (done in slices that let other requests run); past it the report answers 403 (CalDAV max-instances).', parse: integer(10, 600000) },
  maxCardProperties: { env: 'SUNDIAL_MAX_CARD_PROPERTIES', flag: '--max-card-properties', default: 2000, help: 'Most property lines in one vCard; PUT of a larger one answers 403 (CardDAV valid-address-data), an import skips it.', parse: integer(10, 1000000) },
  maxCardLineLength: { env: 'SUNDIAL_MAX_CARD_LINE_LENGTH', flag: '--max-card-line-length', default: 4 * 1024 * 1024, help: 'Longest content line of a vCard once unfolded, in characters (an inline PHOTO is one line); a longer one answers 403 (CardDAV valid-address-data).', parse: integer(1024, 1024 * 1024 * 1024) },
  largeCalendarThreshold: { env: 'SUNDIAL_LARGE_CALENDAR', flag: '--large-calendar', default: 9000, help: 'Entries above which a calendar is flagged as large (warning in the page, log and stats).', parse: integer(1, 100000000) },
  credentialCacheSeconds: { env: 'SUNDIAL_CREDENTIAL_CACHE_SECONDS', flag: '--credential-cache-seconds', default: 300, help: 'How long a verified login is remembered in memory so polling clients skip argon2 (0 disables).', parse: integer(0, 86400) },
  loginFailureLimit: { env: 'SUNDIAL_LOGIN_FAILURE_LIMIT', flag: '--login-failure-limit', default: 10, help: 'Failed logins for one account from one address before further attempts get 429.', parse: integer(1, 100000) },
  loginAddressFailureLimit: { env: 'SUNDIAL_LOGIN_ADDRESS_FAILURE_LIMIT', flag: '--login-address-failure-limit', default: 30, help: 'Failed logins from one address, over all accounts, before that address gets 429 for any login not remembered from before.', parse: integer(1, 1000000) },
  loginThrottleSeconds: { env: 'SUNDIAL_LOGIN_THROTTLE_SECONDS', flag: '--login-throttle-seconds', default: 300, help: 'Window in which failed logins are counted, and how long the lockout lasts.', parse: integer(1, 86400) },
  devicePasswordsRequired: { env: 'SUNDIAL_DEVICE_PASSWORDS_REQUIRED', flag: '--device-passwords-required', default: false, help: 'Default of every user\'s "devices must use app passwords": when on, calendar apps (DAV) must log in with a device\'s app password and the account password opens the web page only. Users may change their own setting.', parse: bool },
  shutdownTimeoutSeconds: { env: 'SUNDIAL_SHUTDOWN_TIMEOUT_SECONDS', flag: '--shutdown-timeout', default: 10, help: 'On SIGTERM, how long in-flight requests may run before the server exits anyway.', parse: integer(0, 3600) },
  tlsCert: { env: 'SUNDIAL_TLS_CERT', flag: '--tls-cert', default: null as string | null, help: 'PEM certificate (chain) file: serve HTTPS directly instead of behind a reverse proxy. Needs --tls-key.', parse: optionalText },
  tlsKey: { env: 'SUNDIAL_TLS_KEY', flag: '--tls-key', default: null as string | null, help: 'PEM private key file for --tls-cert.', parse: optionalText },
  smtpUrl: { env: 'SUNDIAL_SMTP_URL', flag: '--smtp-url', default: null as string | null, help: 'SMTP server for iMIP invitations to attendees outside Sundial (e.g. smtp://user:pass@mail.example.com:587, smtps://… for TLS). Without it, such attendees get SCHEDULE-STATUS 5.1 (not delivered).', parse: optionalText },
  smtpFrom: { env: 'SUNDIAL_SMTP_FROM', flag: '--smtp-from', default: 'sundial@localhost', help: 'Sender address (From) of iMIP mails; replies from mail clients go to the organizer named in the invitation.', parse: text },
  maxAttendees: { env: 'SUNDIAL_MAX_ATTENDEES', flag: '--max-attendees', default: 100, help: 'Most distinct attendees one scheduled event may have; a PUT with more answers 403 (CalDAV max-attendees-per-instance).', parse: integer(1, 100000) },
  imipMailsPerHour: { env: 'SUNDIAL_IMIP_MAILS_PER_HOUR', flag: '--imip-mails-per-hour', default: 200, help: 'Most iMIP mails one user may cause per hour; beyond it attendees get SCHEDULE-STATUS 5.1 and a warning is logged.', parse: integer(1, 1000000) },
  imipReplyDays: { env: 'SUNDIAL_IMIP_REPLY_DAYS', flag: '--imip-reply-days', default: 60, help: 'Days the Accept/Decline links of an iMIP invitation stay valid.', parse: integer(1, 3650) },
  createAdmin: { env: 'SUNDIAL_CREATE_ADMIN', flag: '--create-admin', default: true, help: 'On an empty database, create the user "admin" with a random password printed once, and its calendar "Personal".', parse: bool },
} satisfies Record<string, Option<unknown>>;

export type Options = typeof options;
export type Config = { -readonly [K in keyof Options]: Options[K]['default'] };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration: defaults, overridden by the environment, overridden by flags
 * (`--port 8080` or `--port=8080`). Unknown flags and unparsable values throw ConfigError.
 */
export function loadConfig(env: Record<string, string | undefined> = {}, argv: string[] = []): Config {
  const config = Object.fromEntries(Object.entries(options).map(([k, o]) => [k, o.default])) as Config;
  const set = (key: keyof Options, raw: string, source: string) => {
    try {
      (config as Record<string, unknown>)[key] = options[key].parse(raw);
    } catch (err) {
      throw new ConfigError(`${source}: ${(err as Error).message}`);
    }
  };
  for (const key of Object.keys(options) as (keyof Options)[]) {
    const raw = env[options[key].env];
    if (raw !== undefined) set(key, raw, options[key].env);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = (Object.keys(options) as (keyof Options)[]).find((k) => options[k].flag === flag);
    if (!key) throw new ConfigError(`unknown option ${flag} (see sundial serve --help)`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new ConfigError(`${flag} needs a value`);
    set(key, raw, flag);
  }
  return config;
}

/** The option table as text, for `sundial serve --help`. */
export function optionsHelp(): string {
  const rows = Object.values(options).map((o: Option<unknown>) => {
    const def = o.default === null ? '(none)' : String(o.default);
    return `  ${o.flag.padEnd(28)} ${o.env.padEnd(34)} default ${def}\n      ${o.help}`;
  });
  return `Options (flag, environment variable, default):\n${rows.join('\n')}\n`;
}

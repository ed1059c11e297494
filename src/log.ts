// Structured logging (pino, JSON lines). Secrets never reach a log line: request logs carry
// method, path (feed tokens masked), status and user name only. The logger itself is the second
// line of defence, for whatever a library attaches to an error: the `err` serializer keeps only
// the plain fields of an error (type, message, stack, code and the like), drops what can hold a
// raw request (Node's parser errors carry `rawPacket`, the request bytes with Authorization and
// Cookie headers; HTTP client errors carry headers, config, request), and masks credentials and
// feed tokens inside the strings it keeps; the redact list covers header and secret fields
// should any object be logged whole (issue 11 item 7).
import { pino, stdSerializers, type Logger } from 'pino';

export type { Logger };

/** Fields of an error object that are never logged: each can hold a raw request or secrets. */
const DROPPED_ERROR_FIELDS: ReadonlySet<string> = new Set([
  'rawPacket', 'headers', 'rawHeaders', 'config', 'request', 'response', 'req', 'res', 'socket', 'body', 'data',
]);

/**
 * `text` with credentials and feed tokens masked: the token of /feeds/<token>.ics (SPEC
 * "Subscription feeds": the token is the secret), Basic/Bearer credentials, cookie values of
 * the session cookie. Each pattern starts with a literal and its one quantifier cannot overlap
 * what follows it, so it runs in linear time.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/\/feeds\/[^/\s"'?#]+/g, '/feeds/[token]')
    .replace(/\b(Basic|Bearer)\s[A-Za-z0-9+/=._~-]{8,}/gi, '$1 [redacted]')
    .replace(/sundial_session=[^;\s"',]+/g, 'sundial_session=[redacted]');
}

function safeError(err: unknown): unknown {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) return typeof err === 'string' ? maskSecrets(err) : err;
  const plain = (err instanceof Error ? stdSerializers.err(err) : err) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plain)) {
    if (DROPPED_ERROR_FIELDS.has(k)) continue;
    if (typeof v === 'string') out[k] = maskSecrets(v);
    else if (v === null || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (k === 'cause' || k === 'aggregateErrors') out[k] = Array.isArray(v) ? v.map(safeError) : safeError(v);
    // Anything else (buffers, nested objects a library attached) is left out: it cannot be
    // checked for secrets field by field.
  }
  return out;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: safeError, error: safeError },
      redact: {
        paths: [
          'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]',
          'headers.authorization', 'headers.cookie', 'headers["x-csrf-token"]',
          '*.headers.authorization', '*.headers.cookie',
          'rawPacket', '*.rawPacket',
          'password', '*.password', 'passwordHash', '*.passwordHash', 'current', '*.current',
          'token', '*.token', 'csrf', '*.csrf', 'csrfToken', '*.csrfToken', 'cookie', '*.cookie', 'authorization', '*.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}

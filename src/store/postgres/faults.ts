// Which driver errors mean "PostgreSQL cannot be reached right now" (issue 18 item 5): they become
// StorageUnavailable (../errors.ts), which clients see as 503 with Retry-After instead of a 500,
// and which ends by itself once the server is back (the pool replaces broken connections).
// Everything else stays what translate() in connection.ts makes of it.

/**
 * SQLSTATE codes (PostgreSQL appendix A) of a server that is going away or not there yet:
 * class 08 (connection exception: 08000, 08003, 08006, 08001, 08004, …), 57P01 admin_shutdown (a
 * fast or smart shutdown, `pg_ctl restart`), 57P02 crash_shutdown (another backend crashed and
 * the postmaster resets every session), 57P03 cannot_connect_now (starting up, recovering), and
 * 53300 too_many_connections (every slot taken, a moment later there is one).
 */
const SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors of Node's net module on the way to the server. */
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN',
]);

/**
 * node-postgres (pg 8, pg-pool 3) reports a dropped or never-established connection with plain
 * Errors without a code; their messages are part of its behaviour (lib/client.js, pg-pool
 * index.js): the socket ended, the connect timed out (connectionTimeoutMillis), or a client
 * that already failed was used again.
 */
const DRIVER_MESSAGES: readonly RegExp[] = [
  /^Connection terminated unexpectedly$/,
  /^Connection terminated due to connection timeout$/,
  /^timeout exceeded when trying to connect$/,
  /^timeout expired$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/** The reason to log when err says the database cannot be reached, else null. */
export function connectionFault(err: unknown, depth = 0): string | null {
  if (err === null || typeof err !== 'object' || depth > 3) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') && code.length === 5) return `SQLSTATE ${code}`;
    if (SQLSTATES.has(code)) return `SQLSTATE ${code}`;
    if (SOCKET_CODES.has(code)) return code;
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((re) => re.test(message))) return message;
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) rejects with an AggregateError
  // of one error per address; pg's timeout error wraps the socket error as its cause.
  for (const inner of (err as { errors?: unknown }).errors instanceof Array ? (err as { errors: unknown[] }).errors : []) {
    const r = connectionFault(inner, depth + 1);
    if (r) return r;
  }
  return connectionFault((err as { cause?: unknown }).cause, depth + 1);
}

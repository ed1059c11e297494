// Cluster events over PostgreSQL LISTEN/NOTIFY (../cluster-events.ts, issue 18 item 3). One
// dedicated client per store LISTENs on the store's channel; every write transaction sends its
// events with pg_notify inside the transaction (connection.ts tx), so PostgreSQL delivers them
// when, and only if, it commits, in commit order. A process applies its own events at commit and
// skips their echo (the origin in the payload).
//
// The listening client reconnects by itself (a PostgreSQL restart, pg_terminate_backend, a
// network cut): while it is down `live` is false — caches fed by events must read the database —
// and once LISTEN is in place again every onReset handler runs, because notifications sent in
// between are lost (PostgreSQL queues them only for sessions that are listening). LISTEN needs a
// session of its own: a pooler in transaction mode (pgbouncer pool_mode=transaction) cannot carry
// it (docs/deployment.md).
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ClusterEvent, ClusterEvents, OwnCommit } from '../cluster-events.js';
import { quoteIdent, type Connection, type TxNotifier } from './connection.js';
import { ALL_PARTS, PART_IDS, type CachePart } from './cache-parts.js';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a longer list becomes one "write". */
const MAX_PAYLOAD = 7900;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;
/** How long the listener waits for its own probe before it counts as not listening. */
const PROBE_MS = 3000;

export interface NotificationOptions {
  /** Connection settings of the listening client: the store's URL (and schema, for search_path). */
  url: string;
  /** The schema whose writes are announced: the channel is per schema, as tests share one database. */
  schema: string;
  /** Told when the listening connection breaks or cannot be opened (it keeps retrying). */
  onError?: (err: Error) => void;
}

export interface PgClusterEvents extends ClusterEvents {
  /**
   * Hooks into conn's transactions and opens the listening connection; resolves once it listens,
   * or once it failed (then `live` stays false, onError is told, and it keeps trying).
   */
  start(): Promise<void>;
  close(): Promise<void>;
  /** The channel name (tests). */
  readonly channel: string;
}

/** Channel of a schema: a fixed-length identifier (names are at most 63 bytes). */
export function channelOf(schema: string): string {
  return `sundial_${createHash('sha1').update(schema).digest('hex').slice(0, 24)}`;
}

/** The NOTIFY payload: the sending process and its events (at most MAX_PAYLOAD bytes). */
export function encodePayload(origin: string, events: readonly ClusterEvent[]): string {
  const unique = [...new Map(events.map((e) => [JSON.stringify(e), e])).values()];
  const text = JSON.stringify({ o: origin, e: unique });
  return Buffer.byteLength(text) < MAX_PAYLOAD ? text : JSON.stringify({ o: origin, e: [{ type: 'write' }] });
}

/** The write versions in the results of a notifier statement and COMMIT (node-postgres: one result per statement). */
function versionsOf(result: unknown): Map<CachePart, number> {
  const out = new Map<CachePart, number>();
  for (const r of Array.isArray(result) ? (result as pg.QueryResult[]) : [result as pg.QueryResult]) {
    if (r?.command !== 'UPDATE') continue;
    for (const row of r.rows as { id: unknown; value: unknown }[]) {
      const part = ALL_PARTS.find((p) => PART_IDS[p] === Number(row.id));
      if (part) out.set(part, Number(row.value));
    }
  }
  return out;
}

export function pgClusterEvents(conn: Connection, opts: NotificationOptions): PgClusterEvents {
  const origin = randomUUID();
  const channel = channelOf(opts.schema);
  const subscribers = new Set<(e: ClusterEvent, own?: OwnCommit) => void>();
  const resets = new Set<() => void>();
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | null = null;
  /** The probe the listener waits for (see connect), and what to call when it arrives. */
  let probe: { id: string; arrived: () => void } | null = null;

  const deliver = (events: readonly ClusterEvent[], own?: OwnCommit) => {
    for (const e of events) {
      for (const fn of subscribers) {
        try {
          fn(e, own);
        } catch (err) {
          opts.onError?.(err as Error); // a subscriber's bug must not fail the write that committed
        }
      }
    }
  };
  const reset = () => {
    for (const fn of resets) {
      try {
        fn();
      } catch (err) {
        opts.onError?.(err as Error);
      }
    }
  };

  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return; // an older client's late event
    client = null;
    const wasLive = live;
    live = false;
    if (wasLive) reset();
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (err) opts.onError?.(err);
    if (!closed) {
      timer = setTimeout(() => void connect().catch(() => {}), retryMs);
      timer.unref();
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    }
  };

  const connect = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.url, keepAlive: true });
    client = c;
    // An 'error' of the client (the server ended the session) or its end: listen again.
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return;
      let parsed: { o?: unknown; e?: unknown };
      try {
        parsed = JSON.parse(msg.payload) as typeof parsed;
      } catch {
        parsed = { e: [{ type: 'write' }] };
      }
      if (parsed.o === origin) {
        if (probe && (parsed as { p?: unknown }).p === probe.id) probe.arrived();
        return; // this process's own events were applied at commit (connection.ts tx)
      }
      deliver(Array.isArray(parsed.e) ? (parsed.e as ClusterEvent[]) : [{ type: 'write' }]);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdent(channel)}`);
      // A NOTIFY sent through the pool must come back on this connection before events are
      // trusted: behind a pooler in transaction mode LISTEN "succeeds" on a session that is then
      // handed to someone else, and caches fed by events would serve stale data. Without the
      // probe the caches stay off (reads go to the database) and the listener tries again.
      const id = randomUUID();
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`LISTEN ${channel} receives no notifications (a pooler in transaction mode?); reading without caches`)), PROBE_MS);
        t.unref();
        probe = { id, arrived: () => { clearTimeout(t); resolve(); } };
        conn.pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ o: origin, p: id, e: [] })]).catch((err: Error) => { clearTimeout(t); reject(err); });
      }).finally(() => { probe = null; });
    } catch (err) {
      lost(c, err as Error);
      throw err;
    }
    if (client !== c) return;
    retryMs = RETRY_MIN_MS;
    // Whatever was kept before this point may have missed events: drop it, then trust events again.
    reset();
    live = true;
  };

  const notifier: TxNotifier = {
    // The write versions of the parts written move with the events (read-cache.ts reads them at
    // the start of a request); ids are PART_IDS constants, not input.
    // They come back (RETURNING) for this process's read cache: a version one past the one it
    // last read means no other process wrote in between.
    statement: (events, parts) => {
      const move = parts.length > 0 ? `UPDATE write_version SET value = value + 1 WHERE id IN (${parts.map((p) => PART_IDS[p]).join(', ')}) RETURNING id, value; ` : '';
      return `${move}SELECT pg_notify(${pg.escapeLiteral(channel)}, ${pg.escapeLiteral(encodePayload(origin, events))})`;
    },
    committed: (events, result, counterMoves) => deliver(events, { versions: versionsOf(result), counterMoves }),
  };

  return {
    channel,
    get live() {
      return live;
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => void subscribers.delete(fn);
    },
    onReset(fn) {
      resets.add(fn);
      return () => void resets.delete(fn);
    },
    async publish(e) {
      await conn.pool.query('SELECT pg_notify($1, $2)', [channel, encodePayload(origin, [e])]);
      deliver([e]);
    },
    async start() {
      conn.notifier = notifier;
      await connect().catch(() => {});
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      live = false;
      conn.notifier = undefined;
      if (c) await c.end().catch(() => {});
    },
  };
}

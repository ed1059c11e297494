// The PostgreSQL store (issue 18): node-postgres behind the asynchronous Store contract of
// ../types.ts, one factory per interface in the file of the same name as the SQLite store's
// (users.ts → UserStore, collections.ts → CollectionStore, …); connection.ts holds what they share
// (the pool, tx(), the global sequence). Selected by SUNDIAL_DATABASE_URL=postgres://….
import type { Store } from '../types.js';
import { ALL_PARTS, PART_IDS } from './cache-parts.js';
import { changeLog, changeStore } from './changes.js';
import { collectionStore } from './collections.js';
import { counterStore } from './counters.js';
import { makeConnection, makePool, sql, type PoolOptions } from './connection.js';
import { deadPropertyRows, deadPropertyStore } from './dead-properties.js';
import { deviceStore } from './devices.js';
import { feedStore } from './feeds.js';
import { groupAccess } from './group-access.js';
import { groupStore } from './groups.js';
import { homes, instanceStore } from './instances.js';
import { migratePostgres } from './migrate.js';
import { pgClusterEvents } from './notifications.js';
import { withReadCache } from './read-cache.js';
import { objectStore, objectWrites } from './objects.js';
import { schedulingStore } from './scheduling.js';
import { sessionStore } from './sessions.js';
import { shareStore } from './shares.js';
import { userStore } from './users.js';

export { migratePostgres, postgresSchemaDir } from './migrate.js';

export interface PostgresStoreOptions extends PoolOptions {
  /** Told when the LISTEN connection of the cluster events breaks (it reconnects by itself). */
  onListenError?: (err: Error) => void;
}

const CURRENT_SCHEMA = sql('SELECT current_schema()');
/** Every part's write version in one round trip (read-cache.ts refresh). */
const WRITE_VERSIONS = sql('SELECT id, value FROM write_version');

export { isPostgresUrl } from '../database-url.js';

/** Opens a pool, applies pending migrations and returns the store. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  const pool = makePool(opts);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const conn = makeConnection(pool);
  // Cluster events (issue 18 item 3): every write NOTIFYs the other processes on this schema.
  const schema = (await conn.value<string>(CURRENT_SCHEMA))!;
  const events = pgClusterEvents(conn, { url: opts.url, schema, onError: opts.onListenError });
  await events.start();
  const log = changeLog();
  const home = homes();
  const groups = groupAccess(log, home);
  const props = deadPropertyRows();
  // The hot reads of every request, kept between writes of any process (read-cache.ts).
  return withReadCache({
    ...userStore(conn, log),
    ...collectionStore(conn, log, home),
    ...instanceStore(conn, log),
    ...shareStore(conn, log, home, groups),
    ...objectStore(conn, log, props),
    ...changeStore(conn),
    ...deadPropertyStore(conn, log),
    ...feedStore(conn),
    ...groupStore(conn, groups),
    ...deviceStore(conn),
    ...sessionStore(conn),
    ...counterStore(conn),
    ...schedulingStore(conn, objectWrites(conn, log, props)),
    events,
    async close() {
      await events.close();
      await pool.end();
    },
  }, events, async () => {
    const rows = await conn.rows<{ id: number; value: number }>(WRITE_VERSIONS);
    const byId = new Map(rows.map((r) => [r.id, Number(r.value)]));
    return new Map(ALL_PARTS.map((p) => [p, byId.get(PART_IDS[p]) ?? -1]));
  });
}

/** `sundial migrate` for PostgreSQL: applies pending migrations; returns the files applied now. */
export async function migratePostgresDatabase(opts: PostgresStoreOptions): Promise<string[]> {
  const pool = makePool(opts);
  try {
    return await migratePostgres(pool);
  } finally {
    await pool.end();
  }
}

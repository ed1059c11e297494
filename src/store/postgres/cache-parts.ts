// The parts of the PostgreSQL read cache (read-cache.ts, issue 18): each part has its own row in
// `write_version` (004_write_versions.sql), moved only by writes to the tables its cached reads
// depend on, so a PUT on a calendar no longer empties the credentials of every process.
//
// Which parts a transaction touched is derived from the statements it ran (the tables they
// INSERT INTO, UPDATE, DELETE FROM), not from the events it chose to send: a write method that
// forgets an event cannot leave a stale cache. A table not listed here moves every part (safe
// default), so a new table is correct before anyone thinks of the cache. A new cached read must
// name its part below and every table it reads must map to that part.

/** accounts: users, devices, their selections (getCredentials, findDeviceByToken, getDevicePolicy).
 * collections: collections, instances, shares, objects, the change log (getInstance, changedMetasSince). counters: the windowed counters. */
export type CachePart = 'accounts' | 'collections' | 'counters';

/** The row of each part in `write_version`. */
export const PART_IDS: Readonly<Record<CachePart, number>> = { accounts: 1, collections: 2, counters: 3 };
export const ALL_PARTS: readonly CachePart[] = ['accounts', 'collections', 'counters'];

/** What writing a table moves: on INSERT/UPDATE, and on DELETE (the cascades of its foreign keys). */
const TABLES: Readonly<Record<string, { write: readonly CachePart[]; delete?: readonly CachePart[] }>> = {
  // getCredentials and getDevicePolicy read users; getInstance does not, but deleting a user
  // cascades to its collections and instances.
  users: { write: ['accounts'], delete: ['accounts', 'collections'] },
  user_addresses: { write: ['accounts'] },
  devices: { write: ['accounts'] },
  device_selection: { write: ['accounts'] },
  device_changes: { write: ['accounts'] },
  // getInstance joins instances and collections; deleting a collection cascades to
  // device_selection (a device's list in findDeviceByToken).
  collections: { write: ['collections'], delete: ['collections', 'accounts'] },
  instances: { write: ['collections'] },
  objects: { write: ['collections'] },
  changes: { write: ['collections'] },
  home_changes: { write: ['collections'] },
  dead_properties: { write: ['collections'] },
  // Group shares become instances rows; kept with collections (nothing cached reads them today).
  groups: { write: ['collections'] },
  group_members: { write: ['collections'] },
  group_shares: { write: ['collections'] },
  counters: { write: ['counters'] },
  // Read by no cached read.
  feed_tokens: { write: [] },
  schedule_inbox: { write: [] },
  schedule_inbox_changes: { write: [] },
  freebusy_settings: { write: [] },
  scheduling_secret: { write: [] },
  web_sessions: { write: [] },
  sequence: { write: [] },
  write_version: { write: [] },
};

// The written table after each write verb. `DO UPDATE SET` (an upsert) and the locking clauses
// (`FOR UPDATE`, `FOR UPDATE OF t`, `SKIP LOCKED`, `NOWAIT`) are not writes of a table named there.
const WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO)\s+(?:ONLY\s+)?("?)([\w.]+)\2/gi;
const NOT_TABLES = new Set(['set', 'of', 'skip', 'nowait']);

/** Each write of a statement's text: its verb (upper case) and the table it names (lower case, no schema). */
function* writes(text: string): Generator<{ verb: string; table: string }> {
  for (const m of text.matchAll(WRITE)) {
    const verb = m[1]!.toUpperCase();
    const table = m[3]!.toLowerCase().replace(/^.*\./, '');
    if (verb === 'UPDATE' && NOT_TABLES.has(table)) continue;
    yield { verb, table };
  }
}

/** TRUNCATE and MERGE: whatever they touch, they move everything. */
const sweeping = (verb: string): boolean => verb.startsWith('TRUNCATE') || verb.startsWith('MERGE');

/** The parts a statement's text writes; a write to an unknown table (or TRUNCATE, MERGE) moves all. */
export function partsWritten(text: string): CachePart[] {
  const parts = new Set<CachePart>();
  for (const { verb, table } of writes(text)) {
    const known = TABLES[table];
    const list = known === undefined || sweeping(verb) ? ALL_PARTS : verb.startsWith('DELETE') ? (known.delete ?? known.write) : known.write;
    for (const p of list) parts.add(p);
  }
  return [...parts];
}

// What getInstance reads: instances joined with collections; deleting a user cascades to both.
const INSTANCE_TABLES = new Set(['instances', 'collections', 'users']);

/**
 * Whether a statement may change a cached instance (getInstance's rows): it writes `instances`,
 * `collections` or `users`, a table not listed in TABLES, or truncates or merges. A transaction
 * none of whose statements does — a PUT, DELETE, MOVE or PROPPATCH of members, whose one write to
 * `collections` is the change log's counter move (changes.ts RECORD, compiled with
 * `countersOnly`) — leaves every instance as it was but for those counters, which this process's
 * read cache then moves in place instead of dropping (read-cache.ts `patchInstances`).
 */
export function movesInstances(text: string): boolean {
  for (const { verb, table } of writes(text)) {
    if (sweeping(verb) || !(table in TABLES) || INSTANCE_TABLES.has(table)) return true;
  }
  return false;
}

/** The parts an event names (read-cache.ts); a 'write' or an unknown type names every part. */
export function partsOfEvent(e: { type: string; parts?: unknown }): readonly CachePart[] {
  switch (e.type) {
    case 'data-changed':
      return Array.isArray(e.parts) && e.parts.every((p) => ALL_PARTS.includes(p as CachePart)) ? (e.parts as CachePart[]) : ALL_PARTS;
    case 'counters-changed':
      return ['counters'];
    case 'credentials-changed':
    case 'devices-changed':
      return ['accounts'];
    case 'collection-changed':
    case 'home-changed':
    case 'shares-changed':
      return ['collections'];
    default:
      return ALL_PARTS;
  }
}

// Dead properties (RFC 4918 §4), kept verbatim: the PostgreSQL twin of ../sqlite/dead-properties.ts.
import { LimitReached, NotFound } from '../errors.js';
import type { DeadProperty, DeadPropertyStore } from '../dead-properties.js';
import type { ChangeLog } from './changes.js';
import { sql, type Connection, type Sql } from './connection.js';
import { patchCollection } from './collections.js';

/** Helpers for objects.ts, called inside its write transactions. */
export interface DeadPropertyRows {
  move(s: Sql, fromId: number, name: string, toId: number, toName: string): Promise<void>;
  copy(s: Sql, fromId: number, name: string, toId: number, toName: string): Promise<void>;
  drop(s: Sql, collectionId: number, name: string): Promise<void>;
}

const MOVE = sql('UPDATE dead_properties SET collection_id = ?, name = ? WHERE collection_id = ? AND name = ?');
const COPY = sql(`
  INSERT INTO dead_properties (collection_id, name, prop_name, xml)
  SELECT ?, ?, prop_name, xml FROM dead_properties WHERE collection_id = ? AND name = ?`);
const DROP = sql('DELETE FROM dead_properties WHERE collection_id = ? AND name = ?');

export function deadPropertyRows(): DeadPropertyRows {
  return {
    move: async (s, fromId, name, toId, toName) => void (await s.run(MOVE, [toId, toName, fromId, name])),
    copy: async (s, fromId, name, toId, toName) => void (await s.run(COPY, [toId, toName, fromId, name])),
    drop: async (s, collectionId, name) => void (await s.run(DROP, [collectionId, name])),
  };
}

const LIST = sql('SELECT prop_name AS name, xml FROM dead_properties WHERE collection_id = ? AND name = ? ORDER BY prop_name');
const COLLECTION_EXISTS = sql('SELECT 1 FROM collections WHERE id = ?');
const OBJECT_EXISTS = sql('SELECT 1 FROM objects WHERE collection_id = ? AND name = ?');
const SET = sql(`
  INSERT INTO dead_properties (collection_id, name, prop_name, xml) VALUES (?, ?, ?, ?)
  ON CONFLICT (collection_id, name, prop_name) DO UPDATE SET xml = excluded.xml`);
const REMOVE = sql('DELETE FROM dead_properties WHERE collection_id = ? AND name = ? AND prop_name = ?');
const COUNT = sql('SELECT count(*) FROM dead_properties WHERE collection_id = ? AND name = ?');

/** The DeadPropertyStore of a PostgreSQL store (../dead-properties.ts). */
export function deadPropertyStore(conn: Connection, log: ChangeLog): DeadPropertyStore {
  return {
    async getDeadProperties(collectionId, name): Promise<DeadProperty[]> {
      return conn.rows<DeadProperty>(LIST, [collectionId, name]);
    },
    async patchDeadProperties(collectionId, name, ops, live, opts) {
      await conn.tx(async (s) => {
        if (!(await s.value(COLLECTION_EXISTS, [collectionId]))) throw new NotFound(`collection ${collectionId}`);
        if (name !== '' && !(await s.value(OBJECT_EXISTS, [collectionId, name]))) throw new NotFound(`object ${name}`);
        if (live && name === '') await patchCollection(s, collectionId, live);
        for (const op of ops) {
          if (op.xml === null) await s.run(REMOVE, [collectionId, name, op.name]);
          else await s.run(SET, [collectionId, name, op.name, op.xml]);
        }
        // Counted in the write transaction, which holds every process's write lock.
        const max = opts?.maxDeadProperties;
        if (max !== undefined && ops.some((op) => op.xml !== null) && (await s.value<number>(COUNT, [collectionId, name]))! > max) {
          throw new LimitReached(`more than ${max} dead properties`); // rolls the transaction back
        }
        // A member whose properties changed is a changed member (RFC 6578 §3.5).
        await log.record(s, collectionId, name, false, await s.nextSeq());
      });
    },
  };
}

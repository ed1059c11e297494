// Dead properties (RFC 4918 §4), kept verbatim. Keyed by (collection, object name); name '' is the
// collection itself. They follow their resource through MOVE and COPY (RFC 4918 §9.8.2, §9.9.1)
// and disappear with it.
import { LimitReached, NotFound } from '../errors.js';
import type { DeadProperty, DeadPropertyStore } from '../dead-properties.js';
import type { ChangeLog } from './changes.js';
import type { Connection } from './connection.js';
import { collectionPatcher } from './collections.js';

/** Helpers for objects.ts, called inside its write transactions. */
export interface DeadPropertyRows {
  move(fromId: number, name: string, toId: number, toName: string): void;
  copy(fromId: number, name: string, toId: number, toName: string): void;
  drop(collectionId: number, name: string): void;
}

export function deadPropertyRows({ db }: Connection): DeadPropertyRows {
  const move = db.prepare('UPDATE dead_properties SET collection_id = ?, name = ? WHERE collection_id = ? AND name = ?');
  const copy = db.prepare(`
    INSERT INTO dead_properties (collection_id, name, prop_name, xml)
    SELECT ?, ?, prop_name, xml FROM dead_properties WHERE collection_id = ? AND name = ?`);
  const drop = db.prepare('DELETE FROM dead_properties WHERE collection_id = ? AND name = ?');
  return {
    move: (fromId, name, toId, toName) => void move.run(toId, toName, fromId, name),
    copy: (fromId, name, toId, toName) => void copy.run(toId, toName, fromId, name),
    drop: (collectionId, name) => void drop.run(collectionId, name),
  };
}


/** The DeadPropertyStore of a SQLite store (../dead-properties.ts). */
export function deadPropertyStore(conn: Connection, log: ChangeLog): DeadPropertyStore {
  const { db } = conn;
  const list = db.prepare('SELECT prop_name AS name, xml FROM dead_properties WHERE collection_id = ? AND name = ? ORDER BY prop_name');
  const collectionExists = db.prepare('SELECT 1 FROM collections WHERE id = ?').pluck();
  const objectExists = db.prepare('SELECT 1 FROM objects WHERE collection_id = ? AND name = ?').pluck();
  const set = db.prepare(`
    INSERT INTO dead_properties (collection_id, name, prop_name, xml) VALUES (?, ?, ?, ?)
    ON CONFLICT (collection_id, name, prop_name) DO UPDATE SET xml = excluded.xml`);
  const remove = db.prepare('DELETE FROM dead_properties WHERE collection_id = ? AND name = ? AND prop_name = ?');
  const count = db.prepare('SELECT count(*) FROM dead_properties WHERE collection_id = ? AND name = ?').pluck();
  const patchCollection = collectionPatcher(conn);

  return {
    async getDeadProperties(collectionId, name): Promise<DeadProperty[]> {
      return list.all(collectionId, name) as DeadProperty[];
    },
    async patchDeadProperties(collectionId, name, ops, live, opts) {
      conn.write(() => {
        if (!collectionExists.get(collectionId)) throw new NotFound(`collection ${collectionId}`);
        if (name !== '' && !objectExists.get(collectionId, name)) throw new NotFound(`object ${name}`);
        if (live && name === '') patchCollection(collectionId, live);
        for (const op of ops) {
          if (op.xml === null) remove.run(collectionId, name, op.name);
          else set.run(collectionId, name, op.name, op.xml);
        }
        const max = opts?.maxDeadProperties;
        if (max !== undefined && ops.some((op) => op.xml !== null) && (count.get(collectionId, name) as number) > max) {
          throw new LimitReached(`more than ${max} dead properties`); // rolls the transaction back
        }
        // A member whose properties changed is a changed member (RFC 6578 §3.5); name '' moves
        // only the collection's token.
        log.record(collectionId, name, false, conn.nextSeq());
      });
    },
  };
}

// The SchedulingStore of a SQLite store (../scheduling.ts): scheduling writes as one
// transaction over the object writes of objects.ts, the inbox with its change log, Schedule-Tags,
// the free/busy setting and the reply-link secret.
import { randomBytes } from 'node:crypto';
import { InvalidSyncToken, NotFound } from '../errors.js';
import type { PutResult } from '../objects.js';
import type { InboxMessage, SchedulingStore, StoredInboxMessage } from '../scheduling.js';
import { bit, now, type Connection } from './connection.js';
import { etagOf, type ObjectWrites } from './objects.js';
import { PreconditionFailed } from '../errors.js';

interface InboxRow {
  name: string;
  etag: string;
  method: string;
  uid: string;
  size: number;
  created_at: string;
  data?: Buffer;
}

const toMessage = (r: InboxRow): InboxMessage => ({ name: r.name, etag: r.etag, method: r.method, uid: r.uid, size: r.size, createdAt: r.created_at });

export function schedulingStore(conn: Connection, writes: ObjectWrites): SchedulingStore {
  const { db } = conn;
  const setTag = db.prepare('UPDATE objects SET schedule_tag = ? WHERE collection_id = ? AND name = ?');
  const getTag = db.prepare('SELECT schedule_tag FROM objects WHERE collection_id = ? AND name = ?').pluck();
  const exists = db.prepare('SELECT 1 FROM objects WHERE collection_id = ? AND name = ?').pluck();
  const insertMsg = db.prepare(`
    INSERT INTO schedule_inbox (user_id, name, etag, method, uid, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id, name) DO UPDATE SET etag = excluded.etag, method = excluded.method, uid = excluded.uid,
      created_at = excluded.created_at, data = excluded.data`);
  const logMsg = db.prepare('INSERT INTO schedule_inbox_changes (seq, user_id, name, deleted) VALUES (?, ?, ?, ?)');
  const list = db.prepare('SELECT name, etag, method, uid, length(data) AS size, created_at FROM schedule_inbox WHERE user_id = ? ORDER BY name');
  const one = db.prepare('SELECT name, etag, method, uid, length(data) AS size, created_at, data FROM schedule_inbox WHERE user_id = ? AND name = ?');
  const etagOfMsg = db.prepare('SELECT etag FROM schedule_inbox WHERE user_id = ? AND name = ?').pluck();
  const removeMsg = db.prepare('DELETE FROM schedule_inbox WHERE user_id = ? AND name = ?');
  const lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM schedule_inbox_changes WHERE user_id = ?').pluck();
  const since = db.prepare(`
    SELECT name, deleted, max(id) AS id FROM schedule_inbox_changes
    WHERE user_id = ? AND seq > ? GROUP BY name ORDER BY max(seq), name`);
  const fbGet = db.prepare('SELECT included FROM freebusy_settings WHERE user_id = ? AND collection_id = ?').pluck();
  const fbSet = db.prepare(`INSERT INTO freebusy_settings (user_id, collection_id, included) VALUES (?, ?, ?)
    ON CONFLICT (user_id, collection_id) DO UPDATE SET included = excluded.included`);
  const secretGet = db.prepare('SELECT key FROM scheduling_secret WHERE id = 1').pluck();
  const secretSet = db.prepare('INSERT OR IGNORE INTO scheduling_secret (id, key) VALUES (1, ?)');
  const globalSeq = db.prepare('SELECT value FROM sequence WHERE id = 1').pluck();

  return {
    async applySchedulingWrite(ops) {
      return conn.write(() => {
        const results: (PutResult | null)[] = [];
        for (const op of ops) {
          if (op.op === 'put') {
            const r = writes.put(op.collectionId, op.input, op.cond);
            if (op.scheduleTag !== undefined) setTag.run(op.scheduleTag, op.collectionId, op.input.name);
            results.push(r);
          } else if (op.op === 'delete') {
            if (!op.ifExists || exists.get(op.collectionId, op.name)) writes.delete(op.collectionId, op.name, op.cond);
            results.push(null);
          } else {
            const m = op.message;
            insertMsg.run(op.userId, m.name, etagOf(m.data), m.method, m.uid, now(), m.data);
            logMsg.run(conn.nextSeq(), op.userId, m.name, 0);
            results.push(null);
          }
        }
        return results;
      });
    },
    async getScheduleTag(collectionId, name) {
      return (getTag.get(collectionId, name) as string | null | undefined) ?? null;
    },
    async listInbox(userId) {
      return (list.all(userId) as InboxRow[]).map(toMessage);
    },
    async getInboxMessage(userId, name) {
      const r = one.get(userId, name) as InboxRow | undefined;
      return r ? ({ ...toMessage(r), data: r.data! } as StoredInboxMessage) : null;
    },
    async deleteInboxMessage(userId, name, cond) {
      conn.write(() => {
        const current = (etagOfMsg.get(userId, name) as string | undefined) ?? null;
        const ifMatch = cond?.ifMatch;
        if (ifMatch && ifMatch.length > 0 && (current === null || !(ifMatch.includes('*') || ifMatch.includes(current)))) throw new PreconditionFailed('If-Match failed');
        if (current === null) throw new NotFound(`inbox message ${name}`);
        removeMsg.run(userId, name);
        logMsg.run(conn.nextSeq(), userId, name, 1);
      });
    },
    async inboxChanges(userId, sinceSeq) {
      const seq = lastSeq.get(userId) as number;
      if (sinceSeq > (globalSeq.get() as number)) throw new InvalidSyncToken('token from the future');
      if (sinceSeq === 0) return { seq, changes: (list.all(userId) as InboxRow[]).map((r) => ({ name: r.name, deleted: false })) };
      const rows = since.all(userId, sinceSeq) as { name: string; deleted: number }[];
      return { seq, changes: rows.map((r) => ({ name: r.name, deleted: r.deleted === 1 })) };
    },
    async getFreeBusyIncluded(userId, collectionId) {
      const v = fbGet.get(userId, collectionId) as number | undefined;
      return v === undefined ? null : v === 1;
    },
    async setFreeBusyIncluded(userId, collectionId, included) {
      conn.write(() => {
        fbSet.run(userId, collectionId, bit(included));
      });
    },
    async schedulingSecret() {
      const have = secretGet.get() as Buffer | undefined;
      if (have) return have;
      conn.write(() => {
        secretSet.run(randomBytes(32));
      });
      return secretGet.get() as Buffer;
    },
  };
}

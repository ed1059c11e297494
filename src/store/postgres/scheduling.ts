// The SchedulingStore of a PostgreSQL store (../scheduling.ts), the twin of ../sqlite/scheduling.ts:
// scheduling writes as one transaction over the object writes of objects.ts, the inbox with its
// change log, Schedule-Tags, the free/busy setting and the reply-link secret.
import { randomBytes } from 'node:crypto';
import { InvalidSyncToken, NotFound, PreconditionFailed } from '../errors.js';
import type { PutResult } from '../objects.js';
import type { InboxMessage, SchedulingStore, StoredInboxMessage } from '../scheduling.js';
import { bit, now, sql, type Connection } from './connection.js';
import { etagOf, type ObjectWrites } from './objects.js';

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

const SET_TAG = sql('UPDATE objects SET schedule_tag = ? WHERE collection_id = ? AND name = ?');
const GET_TAG = sql('SELECT schedule_tag FROM objects WHERE collection_id = ? AND name = ?');
const EXISTS = sql('SELECT 1 FROM objects WHERE collection_id = ? AND name = ?');
const INSERT_MSG = sql(`
  INSERT INTO schedule_inbox (user_id, name, etag, method, uid, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (user_id, name) DO UPDATE SET etag = excluded.etag, method = excluded.method, uid = excluded.uid,
    created_at = excluded.created_at, data = excluded.data`);
const LOG_MSG = sql('INSERT INTO schedule_inbox_changes (seq, user_id, name, deleted) VALUES (?, ?, ?, ?)');
const LIST = sql('SELECT name, etag, method, uid, octet_length(data) AS size, created_at FROM schedule_inbox WHERE user_id = ? ORDER BY name');
const ONE = sql('SELECT name, etag, method, uid, octet_length(data) AS size, created_at, data FROM schedule_inbox WHERE user_id = ? AND name = ?');
const ETAG_OF_MSG = sql('SELECT etag FROM schedule_inbox WHERE user_id = ? AND name = ?');
const REMOVE_MSG = sql('DELETE FROM schedule_inbox WHERE user_id = ? AND name = ?');
const LAST_SEQ = sql('SELECT coalesce(max(seq), 0) FROM schedule_inbox_changes WHERE user_id = ?');
// The latest change per name (DISTINCT ON in place of SQLite's bare columns beside max(id)).
const SINCE = sql(`
  SELECT name, deleted FROM (
    SELECT DISTINCT ON (name) name, deleted, seq FROM schedule_inbox_changes
    WHERE user_id = ? AND seq > ? ORDER BY name, id DESC) latest
  ORDER BY seq, name`);
const FB_GET = sql('SELECT included FROM freebusy_settings WHERE user_id = ? AND collection_id = ?');
const FB_SET = sql(`INSERT INTO freebusy_settings (user_id, collection_id, included) VALUES (?, ?, ?)
  ON CONFLICT (user_id, collection_id) DO UPDATE SET included = excluded.included`);
const SECRET_GET = sql('SELECT key FROM scheduling_secret WHERE id = 1');
const SECRET_SET = sql('INSERT INTO scheduling_secret (id, key) VALUES (1, ?) ON CONFLICT DO NOTHING');
const GLOBAL_SEQ = sql('SELECT value FROM sequence WHERE id = 1');

export function schedulingStore(conn: Connection, writes: ObjectWrites): SchedulingStore {
  return {
    async applySchedulingWrite(ops) {
      return conn.tx(async (s) => {
        const results: (PutResult | null)[] = [];
        for (const op of ops) {
          if (op.op === 'put') {
            const r = await writes.put(s, op.collectionId, op.input, op.cond);
            if (op.scheduleTag !== undefined) await s.run(SET_TAG, [op.scheduleTag, op.collectionId, op.input.name]);
            results.push(r);
          } else if (op.op === 'delete') {
            if (!op.ifExists || (await s.value(EXISTS, [op.collectionId, op.name]))) await writes.delete(s, op.collectionId, op.name, op.cond);
            results.push(null);
          } else {
            const m = op.message;
            await s.run(INSERT_MSG, [op.userId, m.name, etagOf(m.data), m.method, m.uid, now(), m.data]);
            await s.run(LOG_MSG, [await s.nextSeq(), op.userId, m.name, 0]);
            results.push(null);
          }
        }
        return results;
      });
    },
    async getScheduleTag(collectionId, name) {
      return (await conn.value<string | null>(GET_TAG, [collectionId, name])) ?? null;
    },
    async listInbox(userId) {
      return (await conn.rows<InboxRow>(LIST, [userId])).map(toMessage);
    },
    async getInboxMessage(userId, name) {
      const r = await conn.row<InboxRow>(ONE, [userId, name]);
      return r ? ({ ...toMessage(r), data: r.data! } as StoredInboxMessage) : null;
    },
    async deleteInboxMessage(userId, name, cond) {
      await conn.tx(async (s) => {
        const current = (await s.value<string>(ETAG_OF_MSG, [userId, name])) ?? null;
        const ifMatch = cond?.ifMatch;
        if (ifMatch && ifMatch.length > 0 && (current === null || !(ifMatch.includes('*') || ifMatch.includes(current)))) throw new PreconditionFailed('If-Match failed');
        if (current === null) throw new NotFound(`inbox message ${name}`);
        await s.run(REMOVE_MSG, [userId, name]);
        await s.run(LOG_MSG, [await s.nextSeq(), userId, name, 1]);
      });
    },
    async inboxChanges(userId, sinceSeq) {
      const seq = (await conn.value<number>(LAST_SEQ, [userId]))!;
      if (sinceSeq > (await conn.value<number>(GLOBAL_SEQ))!) throw new InvalidSyncToken('token from the future');
      if (sinceSeq === 0) return { seq, changes: (await conn.rows<InboxRow>(LIST, [userId])).map((r) => ({ name: r.name, deleted: false })) };
      const rows = await conn.rows<{ name: string; deleted: number }>(SINCE, [userId, sinceSeq]);
      return { seq, changes: rows.map((r) => ({ name: r.name, deleted: r.deleted === 1 })) };
    },
    async getFreeBusyIncluded(userId, collectionId) {
      const v = await conn.value<number>(FB_GET, [userId, collectionId]);
      return v === undefined ? null : v === 1;
    },
    async setFreeBusyIncluded(userId, collectionId, included) {
      await conn.tx(async (s) => {
        await s.run(FB_SET, [userId, collectionId, bit(included)]);
      });
    },
    async schedulingSecret() {
      const have = await conn.value<Buffer>(SECRET_GET);
      if (have) return have;
      // ON CONFLICT DO NOTHING: two processes racing here both read back the one key that won.
      await conn.tx(async (s) => {
        await s.run(SECRET_SET, [randomBytes(32)]);
      });
      return (await conn.value<Buffer>(SECRET_GET))!;
    },
  };
}

// Private subscription links: the PostgreSQL twin of ../sqlite/feeds.ts. Only the token's hash is stored.
import { LimitReached, NotFound } from '../errors.js';
import type { FeedStore, FeedToken } from '../feeds.js';
import { bit, now, sql, type Connection } from './connection.js';

interface FeedRow {
  id: number;
  user_id: number;
  collection_id: number | null;
  group_id: number | null;
  details: 'full' | 'busy';
  alarms: number;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
}

const FEED = 'id, user_id, collection_id, group_id, details, alarms, label, created_at, last_used_at';

function toFeed(r: FeedRow): FeedToken {
  return {
    id: r.id,
    userId: r.user_id,
    collectionId: r.collection_id,
    groupId: r.group_id,
    details: r.details,
    alarms: r.alarms === 1,
    label: r.label,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

const INSERT = sql(`
  INSERT INTO feed_tokens (user_id, collection_id, group_id, token_hash, details, alarms, label, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${FEED}`);
const GROUP_EXISTS = sql('SELECT 1 FROM groups WHERE id = ?');
const USER_EXISTS = sql('SELECT 1 FROM users WHERE id = ?');
const COUNT_BY_USER = sql('SELECT count(*) FROM feed_tokens WHERE user_id = ?');
const COLLECTION_EXISTS = sql('SELECT 1 FROM collections WHERE id = ?');
const BY_HASH = sql(`SELECT ${FEED} FROM feed_tokens WHERE token_hash = ?`);
const BY_USER = sql(`SELECT ${FEED} FROM feed_tokens WHERE user_id = ? ORDER BY id`);
const ROTATE = sql(`UPDATE feed_tokens SET token_hash = ?, last_used_at = NULL WHERE user_id = ? AND id = ? RETURNING ${FEED}`);
const REMOVE = sql('DELETE FROM feed_tokens WHERE user_id = ? AND id = ?');
const TOUCH = sql('UPDATE feed_tokens SET last_used_at = ? WHERE id = ?');

/** The FeedStore of a PostgreSQL store (../feeds.ts). */
export function feedStore(conn: Connection): FeedStore {
  return {
    async createFeedToken(init) {
      return conn.tx(async (s) => {
        if (!(await s.value(USER_EXISTS, [init.userId]))) throw new NotFound(`user ${init.userId}`);
        if (init.collectionId !== null && !(await s.value(COLLECTION_EXISTS, [init.collectionId]))) {
          throw new NotFound(`collection ${init.collectionId}`);
        }
        const groupId = init.groupId ?? null;
        if (groupId !== null && !(await s.value(GROUP_EXISTS, [groupId]))) throw new NotFound(`group ${groupId}`);
        // Counted in the write transaction, which holds the write lock of every process
        // (connection.ts WRITE_LOCK): two creations for one user count one after the other.
        if (init.maxPerUser !== undefined && (await s.value<number>(COUNT_BY_USER, [init.userId]))! >= init.maxPerUser) {
          throw new LimitReached(`user ${init.userId} has ${init.maxPerUser} links`);
        }
        return toFeed((await s.row<FeedRow>(INSERT, [
          init.userId, init.collectionId, groupId, init.tokenHash, init.details, bit(init.alarms), init.label ?? null, now(),
        ]))!);
      });
    },
    async findFeedToken(tokenHash) {
      const r = await conn.row<FeedRow>(BY_HASH, [tokenHash]);
      return r ? toFeed(r) : null;
    },
    async listFeedTokens(userId) {
      return (await conn.rows<FeedRow>(BY_USER, [userId])).map(toFeed);
    },
    async rotateFeedToken(userId, id, tokenHash) {
      return conn.tx(async (s) => {
        const r = await s.row<FeedRow>(ROTATE, [tokenHash, userId, id]);
        if (!r) throw new NotFound(`feed ${id}`);
        return toFeed(r);
      });
    },
    async deleteFeedToken(userId, id) {
      await conn.tx(async (s) => {
        if ((await s.run(REMOVE, [userId, id])) === 0) throw new NotFound(`feed ${id}`);
      });
    },
    async touchFeedToken(id, at) {
      // Not serialized behind the write lock: a timestamp, last writer wins, no sequence involved.
      await conn.run(TOUCH, [at ?? now(), id]);
    },
  };
}

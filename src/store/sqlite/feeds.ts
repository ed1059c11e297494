// Private subscription links (SPEC "Subscription feeds"). Only the token's hash is stored; the
// feeds layer hashes the presented token and looks it up here.
import { LimitReached, NotFound } from '../errors.js';
import type { FeedStore, FeedToken } from '../feeds.js';
import { bit, now, type Connection } from './connection.js';

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


/** The FeedStore of a SQLite store (../feeds.ts). */
export function feedStore(conn: Connection): FeedStore {
  const { db } = conn;
  const insert = db.prepare(`
    INSERT INTO feed_tokens (user_id, collection_id, group_id, token_hash, details, alarms, label, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${FEED}`);
  const groupExists = db.prepare('SELECT 1 FROM groups WHERE id = ?').pluck();
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const collectionExists = db.prepare('SELECT 1 FROM collections WHERE id = ?').pluck();
  const byHash = db.prepare(`SELECT ${FEED} FROM feed_tokens WHERE token_hash = ?`);
  const byUser = db.prepare(`SELECT ${FEED} FROM feed_tokens WHERE user_id = ? ORDER BY id`);
  const countByUser = db.prepare('SELECT count(*) FROM feed_tokens WHERE user_id = ?').pluck();
  const rotate = db.prepare(`UPDATE feed_tokens SET token_hash = ?, last_used_at = NULL WHERE user_id = ? AND id = ? RETURNING ${FEED}`);
  const remove = db.prepare('DELETE FROM feed_tokens WHERE user_id = ? AND id = ?');
  const touch = db.prepare('UPDATE feed_tokens SET last_used_at = ? WHERE id = ?');

  return {
    async createFeedToken(init) {
      return conn.write(() => {
        if (!userExists.get(init.userId)) throw new NotFound(`user ${init.userId}`);
        if (init.collectionId !== null && !collectionExists.get(init.collectionId)) {
          throw new NotFound(`collection ${init.collectionId}`);
        }
        const groupId = init.groupId ?? null;
        if (groupId !== null && !groupExists.get(groupId)) throw new NotFound(`group ${groupId}`);
        // Counted in the write transaction: SQLite has one writer at a time.
        if (init.maxPerUser !== undefined && (countByUser.get(init.userId) as number) >= init.maxPerUser) {
          throw new LimitReached(`user ${init.userId} has ${init.maxPerUser} links`);
        }
        const row = insert.get(
          init.userId, init.collectionId, groupId, init.tokenHash, init.details, bit(init.alarms), init.label ?? null, now(),
        ) as FeedRow;
        return toFeed(row);
      });
    },
    async findFeedToken(tokenHash) {
      const r = byHash.get(tokenHash) as FeedRow | undefined;
      return r ? toFeed(r) : null;
    },
    async listFeedTokens(userId) {
      return (byUser.all(userId) as FeedRow[]).map(toFeed);
    },
    async rotateFeedToken(userId, id, tokenHash) {
      return conn.write(() => {
        const r = rotate.get(tokenHash, userId, id) as FeedRow | undefined;
        if (!r) throw new NotFound(`feed ${id}`);
        return toFeed(r);
      });
    },
    async deleteFeedToken(userId, id) {
      conn.write(() => {
        if (remove.run(userId, id).changes === 0) throw new NotFound(`feed ${id}`);
      });
    },
    async touchFeedToken(id, at) {
      conn.write(() => touch.run(at ?? now(), id));
    },
  };
}

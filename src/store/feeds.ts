// Private subscription links (SPEC "Subscription feeds"). Only a hash of the secret token is
// stored. Implemented by store/sqlite/feeds.ts (`feedStore`); contract: test/store/contract/feeds.ts.

export interface FeedToken {
  id: number;
  userId: number;
  /** null = all calendars of the user whose synchronization is on (or, with groupId, the group's). */
  collectionId: number | null;
  /**
   * A link over a group's calendars (issue 15 item 6): the collections shared with the group, as
   * the link's user (a member) reaches them. null for personal links.
   */
  groupId: number | null;
  details: 'full' | 'busy';
  alarms: boolean;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface FeedTokenInit {
  userId: number;
  collectionId: number | null;
  /** A group's calendars (collectionId must then be null). */
  groupId?: number | null;
  /** Hash of the secret token; the token itself is never stored. */
  tokenHash: string;
  details: 'full' | 'busy';
  alarms: boolean;
  label?: string | null;
  /** At most this many links for the user, this one included: LimitReached otherwise. */
  maxPerUser?: number;
}

/** A token goes with its user and, for a one-calendar link, with its calendar. */
export interface FeedStore {
  /**
   * Throws NotFound (user, collection or group), Conflict when the hash is already in use,
   * LimitReached when the user already holds `maxPerUser` links.
   */
  createFeedToken(init: FeedTokenInit): Promise<FeedToken>;
  /** The token with this hash, or null (unknown or revoked). Callers still check access. */
  findFeedToken(tokenHash: string): Promise<FeedToken | null>;
  /** The user's links, oldest first. */
  listFeedTokens(userId: number): Promise<FeedToken[]>;
  /** Regenerates the secret of one of the user's links, keeping its options; clears lastUsedAt. Throws NotFound. */
  rotateFeedToken(userId: number, id: number, tokenHash: string): Promise<FeedToken>;
  /** Revokes one of the user's links. Throws NotFound. */
  deleteFeedToken(userId: number, id: number): Promise<void>;
  /** Records a use (last_used_at); unknown ids are ignored. */
  touchFeedToken(id: number, at?: string): Promise<void>;
}

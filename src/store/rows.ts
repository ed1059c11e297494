// Rows of users, collections, instances and web sessions and their domain objects, shared by both
// backends: the SQLite and PostgreSQL schemas name these columns alike, so the column lists, the
// instance join and the mappings are written once (sqlite/*.ts and postgres/*.ts import them).
import type { Collection, CollectionKind, ComponentType, Home, Access } from './collections.js';
import type { CalendarInstance } from './instances.js';
import type { StoredSession } from './sessions.js';
import type { User } from './users.js';

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  is_admin: number;
  created_at: string;
}

export const USER_COLUMNS = 'id, username, display_name, email, is_admin, created_at';

export function toUser(r: UserRow): User {
  return { id: r.id, username: r.username, displayName: r.display_name, email: r.email, isAdmin: r.is_admin === 1, createdAt: r.created_at };
}

export interface CollectionRow {
  id: number;
  owner_id: number;
  home: Home;
  parent_id: number | null;
  uri: string;
  kind: CollectionKind;
  displayname: string | null;
  description: string | null;
  color: string | null;
  sort_order: number | null;
  timezone: string | null;
  components: string;
  sync_seq: number;
  object_count: number;
  created_at: string;
  modified_at: string;
}

/** Column list of CollectionRow, qualified with a table alias for joins. */
export function collectionColumns(alias = 'collections'): string {
  return ['id', 'owner_id', 'home', 'parent_id', 'uri', 'kind', 'displayname', 'description', 'color', 'sort_order',
    'timezone', 'components', 'sync_seq', 'object_count', 'created_at', 'modified_at']
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

export function toCollection(r: CollectionRow): Collection {
  return {
    id: r.id,
    ownerId: r.owner_id,
    home: r.home,
    parentId: r.parent_id,
    uri: r.uri,
    kind: r.kind,
    displayName: r.displayname,
    description: r.description,
    color: r.color,
    order: r.sort_order,
    timezone: r.timezone,
    components: r.components === '' ? [] : (r.components.split(',') as ComponentType[]),
    syncSeq: r.sync_seq,
    objectCount: r.object_count,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  };
}

export interface InstanceRow extends CollectionRow {
  i_user_id: number;
  i_home: Home;
  i_uri: string;
  i_access: Access;
  i_sync_enabled: number;
  i_changed_seq: number;
}

export const INSTANCE_SELECT = `
  SELECT ${collectionColumns('c')}, i.user_id AS i_user_id, i.home AS i_home, i.uri AS i_uri, i.access AS i_access,
    i.sync_enabled AS i_sync_enabled, i.changed_seq AS i_changed_seq
  FROM instances i JOIN collections c ON c.id = i.collection_id`;

export function toInstance(r: InstanceRow): CalendarInstance {
  return {
    userId: r.i_user_id,
    collection: toCollection(r),
    home: r.i_home,
    uri: r.i_uri,
    access: r.i_access,
    syncEnabled: r.i_sync_enabled === 1,
    changedSeq: r.i_changed_seq,
  };
}

export interface SessionRow {
  user_id: number;
  csrf: string;
  credential_version: number | null;
  created_at: number;
  expires_at: number;
}

export const SESSION_COLUMNS = 'user_id, csrf, credential_version, created_at, expires_at';

export function toSession(r: SessionRow): StoredSession {
  return { userId: r.user_id, csrf: r.csrf, credentialVersion: r.credential_version, createdAt: r.created_at, expiresAt: r.expires_at };
}

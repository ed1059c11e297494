// Calendars, address books and plain WebDAV collections. A calendar lives directly in its
// owner's calendar home, an address book directly in the address-book home; each has one
// instance per user who sees it (instances.ts). Plain collections nest, in either home, and have
// none.
// Creating, moving or deleting a collection inside a plain collection is a member change of that
// parent (RFC 6578 §3.3: child collections are members too).
import { Conflict, LimitReached, NotFound } from '../errors.js';
import { DEFAULT_CALENDAR_COMPONENTS, type Collection, type CollectionInit, type CollectionKind, type CollectionPatch, type CollectionStore, type Home } from '../collections.js';
import type { Replaced } from '../objects.js';
import type { ChangeLog } from './changes.js';
import { bit, now, type Connection } from './connection.js';
import type { Homes } from './instances.js';

import { collectionColumns, toCollection, type CollectionRow } from '../rows.js';

/** The home a calendar or address book must live in; null for plain collections (either). */
export function homeOfKind(kind: CollectionKind): Home | null {
  return kind === 'calendar' ? 'calendars' : kind === 'addressbook' ? 'addressbooks' : null;
}

export function checkSegment(uri: string): void {
  if (uri === '' || uri === '.' || uri === '..' || uri.includes('/')) throw new Conflict(`invalid name "${uri}"`);
}


/**
 * Deletes what a COPY/MOVE with Overwrite: T replaces (RFC 4918 §9.8.4), as DELETE would: call
 * inside the write transaction of the COPY/MOVE itself, so a write refused after it (a name
 * clash, a UID conflict) rolls the deletion back with it.
 */
export function replacedRemover(conn: Connection, log: ChangeLog): (r: Replaced) => void {
  const { db } = conn;
  const row = db.prepare('SELECT parent_id AS parentId, uri FROM collections WHERE id = ?');
  const instancesOf = db.prepare(`
    WITH RECURSIVE t(id) AS (SELECT ? UNION ALL SELECT c.id FROM collections c JOIN t ON c.parent_id = t.id)
    SELECT i.user_id AS userId, i.home, i.uri FROM instances i JOIN t ON i.collection_id = t.id`);
  const removeCollection = db.prepare('DELETE FROM collections WHERE id = ?');
  const removeObject = db.prepare('DELETE FROM objects WHERE collection_id = ? AND name = ?');
  const dropProps = db.prepare('DELETE FROM dead_properties WHERE collection_id = ? AND name = ?');
  const count = db.prepare('UPDATE collections SET object_count = object_count - 1 WHERE id = ?');
  return (r) => {
    const seq = conn.nextSeq();
    if (r.kind === 'object') {
      if (removeObject.run(r.collectionId, r.name).changes === 0) throw new NotFound(`object ${r.name}`);
      dropProps.run(r.collectionId, r.name);
      count.run(r.collectionId);
      log.record(r.collectionId, r.name, true, seq);
      return;
    }
    const c = row.get(r.id) as { parentId: number | null; uri: string } | undefined;
    if (!c) throw new NotFound(`collection ${r.id}`);
    for (const i of instancesOf.all(r.id) as { userId: number; home: Home; uri: string }[]) log.tombstone(i.userId, i.home, i.uri, seq);
    if (c.parentId !== null) log.record(c.parentId, c.uri, true, seq);
    removeCollection.run(r.id); // cascades like deleteCollection
  };
}

/** The CollectionStore of a SQLite store (../collections.ts). */
export function collectionStore(conn: Connection, log: ChangeLog, homes: Homes): CollectionStore {
  const { db } = conn;
  const cols = collectionColumns();
  const byId = db.prepare(`SELECT ${cols} FROM collections WHERE id = ?`);
  // `parent_id IS ?` matches NULL (the home) as well as an id; the home tells the two homes'
  // top-level collections apart (a nested one is found by its parent alone).
  const byPlace = db.prepare(`SELECT ${cols} FROM collections
    WHERE owner_id = @owner AND parent_id IS @parent AND (parent_id IS NOT NULL OR home = @home) AND uri = @uri`);
  const children = db.prepare(`SELECT ${cols} FROM collections
    WHERE owner_id = @owner AND parent_id IS @parent AND (parent_id IS NOT NULL OR home = @home) ORDER BY uri`);
  const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  const objectExists = db.prepare('SELECT 1 FROM objects WHERE collection_id = ? AND name = ?').pluck();
  const insert = db.prepare(`
    INSERT INTO collections (owner_id, home, parent_id, uri, kind, displayname, description, color, sort_order,
      timezone, components, sync_seq, pruned_below, created_at, modified_at)
    VALUES (@owner, @home, @parent, @uri, @kind, @displayName, @description, @color, @order,
      @timezone, @components, @seq, @seq, @now, @now)
    RETURNING ${cols}`);
  const insertOwnerInstance = db.prepare(`
    INSERT INTO instances (user_id, collection_id, home, uri, access, sync_enabled, changed_seq) VALUES (?, ?, ?, ?, 'owner', 1, ?)`);
  const patchRow = collectionPatcher(conn);
  const insertDead = db.prepare("INSERT INTO dead_properties (collection_id, name, prop_name, xml) VALUES (?, '', ?, ?)");
  const subtree = db.prepare(`
    WITH RECURSIVE t(id) AS (SELECT ? UNION ALL SELECT c.id FROM collections c JOIN t ON c.parent_id = t.id)
    SELECT id FROM t`).pluck();
  const instancesOf = db.prepare(`
    WITH RECURSIVE t(id) AS (SELECT ? UNION ALL SELECT c.id FROM collections c JOIN t ON c.parent_id = t.id)
    SELECT i.user_id AS userId, i.home, i.uri FROM instances i JOIN t ON i.collection_id = t.id`);
  const remove = db.prepare('DELETE FROM collections WHERE id = ?');
  const removeReplaced = replacedRemover(conn, log);
  const deadOf = db.prepare("SELECT prop_name, xml FROM dead_properties WHERE collection_id = ? AND name = ''");
  const objectNames = db.prepare('SELECT name FROM objects WHERE collection_id = ? ORDER BY name').pluck();
  const copyObjects = db.prepare(`
    INSERT INTO objects (collection_id, name, etag, content_type, size, uid, component_type, first_start, last_end,
      created_at, modified_at, data, instance_start, instance_end, classification, xml_plain)
    SELECT @to, name, etag, content_type, size, uid, component_type, first_start, last_end, @now, @now, data,
      instance_start, instance_end, classification, xml_plain
    FROM objects WHERE collection_id = @from AND (@all = 1 OR classification = 'public')`);
  // Dead properties of the members copied (all of them, or the public ones of a sharee's copy).
  const copyMemberProps = db.prepare(`
    INSERT INTO dead_properties (collection_id, name, prop_name, xml)
    SELECT @to, d.name, d.prop_name, d.xml FROM dead_properties d
    WHERE d.collection_id = @from AND d.name <> ''
      AND EXISTS (SELECT 1 FROM objects o WHERE o.collection_id = @to AND o.name = d.name)`);
  const setCount = db.prepare('UPDATE collections SET object_count = (SELECT count(*) FROM objects WHERE collection_id = ?) WHERE id = ?');
  const relocate = db.prepare('UPDATE collections SET parent_id = ?, uri = ?, modified_at = ? WHERE id = ?');
  const renameOwnerInstance = db.prepare(
    "UPDATE instances SET uri = ?, changed_seq = ? WHERE collection_id = ? AND access = 'owner'",
  );

  const get = (id: number) => byId.get(id) as CollectionRow | undefined;
  // A user's collections of one kind directly in one home (deleteCollection's keepLastOwn).
  const ownOfKind = db.prepare('SELECT count(*) FROM collections WHERE owner_id = ? AND home = ? AND kind = ? AND parent_id IS NULL').pluck();
  const must = (id: number): CollectionRow => {
    const r = get(id);
    if (!r) throw new NotFound(`collection ${id}`);
    return r;
  };

  /**
   * Throws unless (ownerId, parentId, uri) in `home` is free for collection `self` (or a new one);
   * returns the home the collection lives in there (a nested one: its parent's).
   */
  function checkPlace(ownerId: number, parentId: number | null, uri: string, kind: CollectionKind, home: Home, self?: number): Home {
    checkSegment(uri);
    const required = homeOfKind(kind);
    if (parentId === null) {
      if (required !== null && required !== home) throw new Conflict(`a ${kind} lives in the ${required} home`);
      // The home's namespace also holds the instances of collections shared with this user.
      if (homes.uriTaken(ownerId, home, uri, self)) throw new Conflict(`${uri} exists in the home`);
      return home;
    }
    if (required !== null) throw new Conflict(`a ${kind} lives directly in its owner's home`);
    const parent = get(parentId);
    if (!parent || parent.owner_id !== ownerId) throw new NotFound(`parent collection ${parentId}`);
    if (parent.kind !== 'plain') throw new Conflict(`collections cannot be created inside a ${parent.kind}`);
    const clash = byPlace.get({ owner: ownerId, parent: parentId, home: parent.home, uri }) as CollectionRow | undefined;
    if ((clash && clash.id !== self) || objectExists.get(parentId, uri)) throw new Conflict(`${uri} exists`);
    return parent.home;
  }

  function insertCollection(ownerId: number, init: CollectionInit): Collection {
    if (!userExists.get(ownerId)) throw new NotFound(`user ${ownerId}`);
    const parentId = init.parentId ?? null;
    const home = checkPlace(ownerId, parentId, init.uri, init.kind, init.home ?? homeOfKind(init.kind) ?? 'calendars');
    const seq = conn.nextSeq();
    const components = init.components ?? (init.kind === 'calendar' ? DEFAULT_CALENDAR_COMPONENTS : []);
    const row = insert.get({
      owner: ownerId,
      home,
      parent: parentId,
      uri: init.uri,
      kind: init.kind,
      displayName: init.displayName ?? null,
      description: init.description ?? null,
      color: init.color ?? null,
      order: init.order ?? null,
      timezone: init.timezone ?? null,
      components: components.join(','),
      seq,
      now: now(),
    }) as CollectionRow;
    if (init.kind !== 'plain') insertOwnerInstance.run(ownerId, row.id, home, init.uri, seq);
    for (const p of init.deadProperties ?? []) insertDead.run(row.id, p.name, p.xml);
    if (parentId !== null) log.record(parentId, init.uri, false, seq);
    return toCollection(row);
  }

  /** Copies collection `src` (and, when deep, what is below it) to a new one of `ownerId`. */
  function copyTree(src: CollectionRow, ownerId: number, parentId: number | null, uri: string, home: Home, deep: boolean, publicOnly: boolean): Collection {
    const source = toCollection(src);
    const deadProperties = (deadOf.all(src.id) as { prop_name: string; xml: string }[]).map((p) => ({ name: p.prop_name, xml: p.xml }));
    const created = insertCollection(ownerId, {
      uri, kind: source.kind, parentId, home,
      displayName: source.displayName, description: source.description, color: source.color, order: source.order,
      timezone: source.timezone, components: source.components, deadProperties,
    });
    if (!deep) return created;
    copyObjects.run({ to: created.id, from: src.id, now: now(), all: publicOnly ? 0 : 1 });
    copyMemberProps.run({ to: created.id, from: src.id });
    setCount.run(created.id, created.id);
    // Every copied member is a change of the new collection (RFC 6578 §3.5), as a COPY one by one logged them.
    const seq = conn.nextSeq();
    for (const name of objectNames.all(created.id) as string[]) log.record(created.id, name, false, seq);
    for (const child of children.all({ owner: src.owner_id, parent: src.id, home: src.home }) as CollectionRow[]) {
      copyTree(child, ownerId, created.id, child.uri, created.home, true, publicOnly);
    }
    return toCollection(must(created.id));
  }

  return {
    async copyCollection(sourceId, ownerId, parentId, uri, opts) {
      return conn.write(() => {
        const src = must(sourceId);
        if (parentId !== null && (subtree.all(sourceId) as number[]).includes(parentId)) {
          throw new Conflict('cannot copy a collection below itself');
        }
        if (opts.replacing) {
          // The source must survive the deletion of what it replaces (an ancestor of it).
          if (opts.replacing.kind === 'collection' && (subtree.all(opts.replacing.id) as number[]).includes(sourceId)) {
            throw new Conflict('cannot replace a collection holding the source');
          }
          removeReplaced(opts.replacing);
        }
        return copyTree(src, ownerId, parentId, uri, opts.home ?? src.home, opts.deep, opts.publicOnly ?? false);
      });
    },

    async createCollection(ownerId, init) {
      return conn.write(() => insertCollection(ownerId, init));
    },

    async getCollection(id) {
      const r = get(id);
      return r ? toCollection(r) : null;
    },

    async findCollection(ownerId, parentId, uri, home = 'calendars') {
      const r = byPlace.get({ owner: ownerId, parent: parentId, home, uri }) as CollectionRow | undefined;
      return r ? toCollection(r) : null;
    },

    async listChildCollections(ownerId, parentId, home = 'calendars') {
      return (children.all({ owner: ownerId, parent: parentId, home }) as CollectionRow[]).map(toCollection);
    },

    async updateCollection(id, patch) {
      return conn.write(() => {
        must(id);
        patchRow(id, patch);
        // Name '' = the collection itself: getctag/sync token move (and with them the token of
        // every home listing it), but sync-collection reports no member.
        log.record(id, '', false, conn.nextSeq());
        return toCollection(must(id));
      });
    },

    async deleteCollection(id, opts) {
      conn.write(() => {
        const row = must(id);
        if (opts?.keepLastOwn && row.kind !== 'plain' && row.parent_id === null && (ownOfKind.get(row.owner_id, row.home, row.kind) as number) <= 1) {
          throw new LimitReached(`the last ${row.kind} of user ${row.owner_id}`);
        }
        const seq = conn.nextSeq();
        for (const i of instancesOf.all(id) as { userId: number; home: Home; uri: string }[]) log.tombstone(i.userId, i.home, i.uri, seq);
        if (row.parent_id !== null) log.record(row.parent_id, row.uri, true, seq);
        // Cascades to child collections, objects, change log, dead properties, instances, feeds.
        remove.run(id);
      });
    },

    async moveCollection(id, parentId, uri, replacing) {
      return conn.write(() => {
        if (replacing) {
          if (replacing.kind === 'collection' && (subtree.all(replacing.id) as number[]).includes(id)) {
            throw new Conflict('cannot replace a collection holding the source');
          }
          removeReplaced(replacing);
        }
        const row = must(id);
        if (row.parent_id === parentId && row.uri === uri) return toCollection(row);
        if (parentId !== null && (subtree.all(id) as number[]).includes(parentId)) {
          throw new Conflict('cannot move a collection below itself');
        }
        // A collection stays in its home: moving a subtree between homes is not offered.
        if (checkPlace(row.owner_id, parentId, uri, row.kind, row.home, id) !== row.home) {
          throw new Conflict('a collection cannot move to the other home');
        }
        const seq = conn.nextSeq();
        relocate.run(parentId, uri, now(), id);
        if (row.parent_id !== null) log.record(row.parent_id, row.uri, true, seq);
        if (parentId !== null) log.record(parentId, uri, false, seq);
        if (row.kind !== 'plain') {
          // Only the owner's instance is renamed; sharees keep the uri chosen in their homes.
          renameOwnerInstance.run(uri, seq, id);
          log.tombstone(row.owner_id, row.home, row.uri, seq);
        }
        return toCollection(must(id));
      });
    },
  };
}

/** Applies a live-property patch to a collection row; call inside a write transaction. */
export function collectionPatcher({ db }: Connection): (id: number, patch: CollectionPatch) => void {
  // One static statement for every patch: a flag per field says whether to touch it.
  const update = db.prepare(`
    UPDATE collections SET
      displayname = CASE WHEN @setDisplayName THEN @displayName ELSE displayname END,
      description = CASE WHEN @setDescription THEN @description ELSE description END,
      color       = CASE WHEN @setColor THEN @color ELSE color END,
      sort_order  = CASE WHEN @setOrder THEN @order ELSE sort_order END,
      timezone    = CASE WHEN @setTimezone THEN @timezone ELSE timezone END
    WHERE id = @id`);
  return (id, patch) => {
    update.run({
      id,
      setDisplayName: bit(patch.displayName !== undefined),
      displayName: patch.displayName ?? null,
      setDescription: bit(patch.description !== undefined),
      description: patch.description ?? null,
      setColor: bit(patch.color !== undefined),
      color: patch.color ?? null,
      setOrder: bit(patch.order !== undefined),
      order: patch.order ?? null,
      setTimezone: bit(patch.timezone !== undefined),
      timezone: patch.timezone ?? null,
    });
  };
}

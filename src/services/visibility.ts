// Which of a shared calendar's objects a sharee may see, and how (the rules are described in
// dav/sharee-view.ts, which applies them to every DAV path): pure functions over store rows,
// shared with the feeds (a link to "all my calendars" covers the calendars shared with its
// creator) and the export.
import { confidentialView } from '../ical/confidential.js';
import type { Classification, ObjectText, StoredObject } from '../store/types.js';
import { withProps } from '../with-props.js';

/** Hidden from sharees: private, an unknown class, or not classified yet (fail closed). */
export const hiddenFromSharee = (c: Classification | null | undefined): boolean => c !== 'public' && c !== 'confidential';

/**
 * The members a sharee may know of, confidential ones flagged as busy views; the list itself
 * for the owner. Never modifies its input (candidate lists are shared between requests).
 */
export function visibleMetas<T extends { classification: Classification | null }>(sharee: boolean, list: T[]): T[] {
  if (!sharee) return list;
  const out: T[] = [];
  for (const m of list) {
    if (hiddenFromSharee(m.classification)) continue;
    out.push(m.classification === 'confidential' ? withProps(m, { busyView: true as const }) : m);
  }
  return out;
}

/** The busy-only view of a confidential object (same ETag, see above); other objects as they are. */
export function busyObject(obj: StoredObject): StoredObject {
  if (obj.classification !== 'confidential' || obj.busyView) return obj;
  const data = Buffer.from(confidentialView(obj.data.toString('utf8')));
  return withProps(obj, { data, size: data.length, busyView: true as const });
}

/** Stored objects as a sharee may see them (private ones left out); unchanged for the owner. */
export function visibleObjects(sharee: boolean, list: StoredObject[]): StoredObject[] {
  return sharee ? list.filter((o) => !hiddenFromSharee(o.classification)).map(busyObject) : list;
}

/** One row of the narrow multiget (name, etag, text) as a sharee may see it; null when hidden. */
export function visibleText(sharee: boolean, o: ObjectText): ObjectText | null {
  if (!sharee) return o;
  if (hiddenFromSharee(o.classification)) return null;
  return o.classification === 'confidential' ? withProps(o, { text: confidentialView(o.text), busyView: true as const }) : o;
}

/** visibleMetas for one (possibly absent) member: null when a sharee may not see it. */
export function visibleMeta<T extends { classification: Classification | null }>(sharee: boolean, m: T | null): T | null {
  return m ? visibleMetas(sharee, [m])[0] ?? null : null;
}

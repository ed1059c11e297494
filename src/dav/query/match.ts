// The match step of calendar-query (RFC 4791 §7.8): which members of a calendar a filter (§9.7)
// selects. Candidates come from the store's columns (component type, first start, last end),
// cached under the collection's sync token; each candidate is then decided, in this order, from
// its exact-instance columns (a plain VEVENT time-range on a non-recurring event with exact
// times), from the verdict cached for its etag under this filter, or by parsing it (in batches)
// and evaluating the filter. The caches are the engine's (engine.ts), so one store never answers
// from another's.
import type { ComponentType, ObjectMeta, Store, StoredObject } from '../../store/types.js';
import { candidateBounds, earliestStart, latestEnd, matchesFilter, prepareTextMatches, type CompFilter } from '../../ical/filter.js';
import { LONG_TEXT } from '../../text-match-evaluation.js';
import { exactEventOverlaps } from '../../ical/instances.js';
import { QueryObject, type QueryOptions } from '../../ical/query-object.js';
import { QueryError } from '../../ical/query-errors.js';
import type { CalendarResource } from '../resources.js';
import { isSharee, visibleMetas, visibleObjects } from '../sharee-view.js';
import type { QueryEngine } from './engine.js';
import { queryErrors, toQueryDavError } from './errors.js';

const TYPES: readonly string[] = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];
const BATCH = 100;

export interface MatchScope {
  calendar: CalendarResource;
  /** One member (a calendar-query on an object), all members, or none (Depth 0 on the calendar). */
  members: { name: string } | 'all' | 'none';
}

/**
 * The members of `scope` that `filter` selects, sorted by name. `onParsed` is called with each
 * match whose body had to be read to decide it (so the render step need not read it again).
 */
export async function matchObjects(engine: QueryEngine, store: Store, scope: MatchScope, filter: CompFilter, opts: QueryOptions, onParsed: (obj: StoredObject) => Promise<void>): Promise<ObjectMeta[]> {
  const { calendar } = scope;
  const collectionId = calendar.collection.id;
  let metas: ObjectMeta[];
  let cacheKey: string | null = null;
  const { componentType, range } = candidateBounds(filter);
  if (scope.members === 'none') {
    metas = [];
  } else if (scope.members !== 'all') {
    const m = await store.getObjectMeta(collectionId, scope.members.name);
    metas = m ? [m] : [];
  } else {
    const type = componentType && TYPES.includes(componentType) ? (componentType as ComponentType) : undefined;
    const q = { ...(type ? { componentType: type } : {}), start: range?.start ?? null, end: range?.end ?? null };
    // Every write in the collection moves its sync token, so candidates are kept under it.
    cacheKey = range ? `${collectionId}\u0000${calendar.collection.syncSeq}\u0000${type ?? ''}\u0000${q.start}\u0000${q.end}` : null;
    const cached = cacheKey ? engine.cachedCandidates(cacheKey) : undefined;
    metas = cached ?? await store.queryObjects(collectionId, q);
    if (cacheKey && !cached) engine.cacheCandidates(cacheKey, metas);
  }
  if (componentType) metas = metas.filter((m) => m.componentType === componentType); // an object target, or an unknown type
  // A sharee: no private objects; confidential ones are matched and rendered as their busy view,
  // so a text-match cannot probe hidden details (sharee-view.ts). Cached candidates stay whole.
  const sharee = isSharee(calendar);
  metas = visibleMetas(sharee, metas);
  if (typeOnly(filter)) return sortByName([...metas]);

  const filterKey = engine.queryKey(filter, opts);
  // The answer to the same filter over the same candidates (same sync token) is the same list.
  const matchesKey = cacheKey ? `${cacheKey}\u0000${filterKey}${sharee ? '\u0000sharee' : ''}` : null;
  const known = matchesKey ? engine.cachedCandidates(matchesKey) : undefined;
  if (known) return [...known];

  const matches: ObjectMeta[] = [];
  const fromColumns = columnTest(filter);
  const skipBefore = earliestStart(filter);
  const until = latestEnd(filter);
  const pending: ObjectMeta[] = [];
  for (const m of metas) {
    const verdict = fromColumns?.(m) ?? engine.cachedVerdict(m, filterKey);
    if (verdict === undefined) pending.push(m);
    else if (verdict) matches.push(m);
  }
  for (let i = 0; i < pending.length; i += BATCH) {
    const objects = visibleObjects(sharee, await store.getObjects(collectionId, pending.slice(i, i + BATCH).map((m) => m.name)));
    for (const obj of objects) {
      const hit = await evaluate(obj, filter, opts, skipBefore, until);
      engine.cacheVerdict(obj, filterKey, hit);
      if (!hit) continue;
      const { data: _data, ...meta } = obj;
      matches.push(meta);
      await onParsed(obj);
    }
  }
  sortByName(matches);
  if (matchesKey) engine.cacheCandidates(matchesKey, [...matches]);
  return matches;
}

function sortByName(metas: ObjectMeta[]): ObjectMeta[] {
  return metas.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** True when the component-type column alone decides the filter. */
function typeOnly(filter: CompFilter): boolean {
  if (filter.propFilters.length > 0) return false;
  if (filter.compFilters.length === 0) return true;
  if (filter.compFilters.length !== 1) return false;
  const c = filter.compFilters[0]!;
  return !c.isNotDefined && !c.timeRange && c.propFilters.length === 0 && c.compFilters.length === 0 && TYPES.includes(c.name);
}

/**
 * For a filter that is nothing but one VEVENT comp-filter with a time-range (what clients send
 * for a calendar view), the test of an object from its exact-instance columns; it answers
 * undefined for objects without them (recurring, floating, …).
 */
function columnTest(filter: CompFilter): ((m: ObjectMeta) => boolean | undefined) | null {
  if (filter.propFilters.length > 0 || filter.compFilters.length !== 1) return null;
  const c = filter.compFilters[0]!;
  if (c.name !== 'VEVENT' || c.isNotDefined || !c.timeRange || c.propFilters.length > 0 || c.compFilters.length > 0) return null;
  const range = c.timeRange;
  return (m) => (m.componentType === 'VEVENT' && m.instanceStart != null && m.instanceEnd != null ? exactEventOverlaps(m.instanceStart, m.instanceEnd, range) : undefined);
}

/** How far an open range (no end) is walked ahead in slices before the filter is evaluated. */
const OPEN_RANGE_AHEAD_MS = 31 * 86_400_000;

/**
 * Where the sliced walk ahead stops: the filter's latest end, or for an open range (DAVx5's
 * past-days limit, iOS's "since one month": no end) a month past its start. Any instance that
 * reaches an open range matches it, so `matchesFilter` stops at the first one; walking ahead to
 * the recurrence horizon made up to max-instances instances of every daily event (an 8× cost for
 * DAVx5's query). A rule whose first instance in the range is further out is walked on by
 * `matchesFilter` itself, within the same evaluation budget.
 */
function prefillLimit(skipBefore: number | null, until: number | null): number | null {
  if (until === null) return null;
  if (Number.isFinite(until)) return until;
  return skipBefore === null ? null : skipBefore + OPEN_RANGE_AHEAD_MS;
}

/**
 * The filter's verdict on one object. The recurrence walk up to the filter's latest time-range
 * end is done first, in slices between which other requests run (work-budget.ts), and so is the
 * folding of the text its text-matches read when the object is large enough for it to take more
 * than a slice (filter.ts prepareTextMatches); the request's budget also pauses between objects.
 */
async function evaluate(obj: StoredObject, filter: CompFilter, opts: QueryOptions, skipBefore: number | null, until: number | null): Promise<boolean> {
  await opts.budget?.maybePause();
  let parsed: QueryObject;
  try {
    parsed = new QueryObject(obj.data, { ...opts, skipBefore });
  } catch (err) {
    if (err instanceof QueryError) throw toQueryDavError(err); // over the object limits
    return false; // not iCalendar (cannot happen for validated objects): matches nothing
  }
  try {
    const ahead = prefillLimit(skipBefore, until);
    if (ahead !== null) await parsed.prepare(ahead);
    if (obj.data.length > LONG_TEXT) await prepareTextMatches(parsed, filter);
  } catch (err) {
    throw toQueryDavError(err);
  }
  return queryErrors(() => matchesFilter(parsed, filter));
}

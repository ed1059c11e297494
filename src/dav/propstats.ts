// Computes the propstats of one resource for a PROPFIND-style request (also used by REPORTs that
// carry a <prop>): live properties from the registry, dead properties from the store, unknown
// ones in a 404 propstat of the same response (CLIENTS.md §1.2 step 6: macOS asks ~35 properties
// and needs every unknown one answered 404, not an error).
import type { PropStat, PropValue } from '../xml/serialize.js';
import type { DeadProperty } from '../store/types.js';
import { allProperties, lookupProperty, type PropContext, type PropContent } from './properties/index.js';
import type { Resource } from './resources.js';

/** The context properties are evaluated in; a home among `resources` gets its change sequence read once. */
export async function propContextFor(svc: { store: PropContext['store']; config: PropContext['config'] }, resources: Resource[], user?: PropContext['user']): Promise<PropContext> {
  const ctx: PropContext = { store: svc.store, config: svc.config, ...(user ? { user } : {}) };
  const home = resources.find((r) => r.kind === 'home');
  if (home && home.kind === 'home') ctx.homeSeq = await svc.store.homeSeq(home.user.id, home.home);
  return ctx;
}

export type PropRequest =
  | { type: 'prop'; names: string[] }
  | { type: 'allprop'; include: string[] }
  | { type: 'propname' };

/** Resources that can hold dead properties, and the store key for them. */
export function deadPropertyKey(r: Resource): { collectionId: number; name: string } | null {
  if (r.kind === 'calendar' || r.kind === 'addressbook' || r.kind === 'collection') return { collectionId: r.collection.id, name: '' };
  if (r.kind === 'object') return { collectionId: r.parent.collection.id, name: r.name };
  return null;
}

export interface PropstatOptions {
  minimal?: boolean;
  extra?: Map<string, PropContent>;
}

/**
 * `extra` supplies properties computed by a report for this resource (calendar-data), keyed by
 * Clark name; they take precedence over the registry.
 *
 * Synchronous when it can be: for a `<prop>` request whose properties are all live with
 * synchronous values (getetag, getctag, sync-token… — what listings and polls ask), the
 * propstats are returned directly; a 9000-member listing then costs no promise per member. The
 * first value that is a promise, or a name that may be a dead property, continues asynchronously.
 */
export function propstatsFor(r: Resource, req: PropRequest, ctx: PropContext, opts: PropstatOptions = {}): PropStat[] | Promise<PropStat[]> {
  if (req.type !== 'prop') return propstatsAsync(r, req, ctx, opts);
  const found: PropValue[] = [];
  const names = req.names;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = liveValue(r, name, ctx, opts);
    if (value === undefined || value instanceof Promise) return propNamesAsync(r, names, i, value, found, ctx, opts);
    found.push(value === null ? { name } : { name, value });
  }
  return finish(found, [], opts);
}

function liveValue(r: Resource, name: string, ctx: PropContext, opts: PropstatOptions): PropContent | undefined | Promise<PropContent | undefined> {
  const extra = opts.extra?.get(name);
  if (extra !== undefined) return extra;
  const def = lookupProperty(name);
  if (!def || !def.kinds.includes(r.kind)) return undefined;
  return def.get(r, ctx);
}

function finish(found: PropValue[], missing: PropValue[], opts: PropstatOptions): PropStat[] {
  const stats: PropStat[] = [];
  if (found.length || !missing.length || opts.minimal) stats.push({ status: 200, props: found });
  if (missing.length && !opts.minimal) stats.push({ status: 404, props: missing });
  return stats;
}

function deadLoader(r: Resource, ctx: PropContext): () => Promise<DeadProperty[]> {
  const deadKey = deadPropertyKey(r);
  let dead: DeadProperty[] | null = null;
  return async () => (dead ??= deadKey ? await ctx.store.getDeadProperties(deadKey.collectionId, deadKey.name) : []);
}

/** The rest of a `<prop>` request from `names[from]` on, whose value `pending` is already asked. */
async function propNamesAsync(r: Resource, names: readonly string[], from: number, pending: PropContent | undefined | Promise<PropContent | undefined>, found: PropValue[], ctx: PropContext, opts: PropstatOptions): Promise<PropStat[]> {
  const missing: PropValue[] = [];
  const loadDead = deadLoader(r, ctx);
  for (let i = from; i < names.length; i++) {
    const name = names[i]!;
    const value = i === from ? await pending : await liveValue(r, name, ctx, opts);
    if (value !== undefined) {
      found.push(value === null ? { name } : { name, value });
      continue;
    }
    const d = (await loadDead()).find((p) => p.name === name);
    if (d) found.push({ name, value: { raw: d.xml } });
    else missing.push({ name });
  }
  return finish(found, missing, opts);
}

/** propname and allprop (RFC 4918 §9.1); `<prop>` lists are answered by propstatsFor. */
async function propstatsAsync(r: Resource, req: Exclude<PropRequest, { type: 'prop' }>, ctx: PropContext, opts: PropstatOptions): Promise<PropStat[]> {
  const found: PropValue[] = [];
  const missing: PropValue[] = [];
  const loadDead = deadLoader(r, ctx);

  if (req.type === 'propname') {
    for (const def of allProperties()) {
      if (def.kinds.includes(r.kind) && (await def.get(r, ctx)) !== undefined) found.push({ name: def.name });
    }
    for (const d of await loadDead()) found.push({ name: d.name });
    return [{ status: 200, props: found }];
  }

  const included = new Set(req.include);
  for (const def of allProperties()) {
    if (!def.kinds.includes(r.kind) || !(def.allprop || included.has(def.name))) continue;
    const value = await def.get(r, ctx);
    if (value !== undefined) found.push(value === null ? { name: def.name } : { name: def.name, value });
    included.delete(def.name);
  }
  for (const d of await loadDead()) found.push({ name: d.name, value: { raw: d.xml } });
  for (const name of included) {
    const value = await liveValue(r, name, ctx, opts);
    if (value !== undefined) found.push(value === null ? { name } : { name, value });
    else if (!(await loadDead()).some((d) => d.name === name)) missing.push({ name });
  }
  return finish(found, missing, opts);
}

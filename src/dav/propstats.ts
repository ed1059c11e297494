// Computes the propstats of one resource for a PROPFIND-style request (also used by REPORTs that
// carry a <prop>): live properties from the registry, dead properties from the store, unknown
// ones in a 404 propstat of the same response (CLIENTS.md §1.2 step 6: macOS asks ~35 properties
// and needs every unknown one answered 404, not an error).
import type { PropStat, PropValue } from '../xml/serialize.js';
import type { DeadProperty } from '../store/types.js';
import { allProperties, lookupProperty, type PropContext, type PropContent } from './properties/index.js';
import type { Resource } from './resources.js';

export type PropRequest =
  | { type: 'prop'; names: string[] }
  | { type: 'allprop'; include: string[] }
  | { type: 'propname' };

/** Resources that can hold dead properties, and the store key for them. */
export function deadPropertyKey(r: Resource): { collectionId: number; name: string } | null {
  if (r.kind === 'calendar' || r.kind === 'collection') return { collectionId: r.collection.id, name: '' };
  if (r.kind === 'object') return { collectionId: r.parent.collection.id, name: r.name };
  return null;
}

/**
 * `extra` supplies properties computed by a report for this resource (calendar-data), keyed by
 * Clark name; they take precedence over the registry.
 */
export async function propstatsFor(r: Resource, req: PropRequest, ctx: PropContext, opts: { minimal?: boolean; extra?: Map<string, PropContent> } = {}): Promise<PropStat[]> {
  const found: PropValue[] = [];
  const missing: PropValue[] = [];
  const deadKey = deadPropertyKey(r);
  let dead: DeadProperty[] | null = null;
  const loadDead = async () => (dead ??= deadKey ? await ctx.store.getDeadProperties(deadKey.collectionId, deadKey.name) : []);

  const live = async (name: string): Promise<PropContent | undefined> => {
    const extra = opts.extra?.get(name);
    if (extra !== undefined) return extra;
    const def = lookupProperty(name);
    if (!def || !def.kinds.includes(r.kind)) return undefined;
    return def.get(r, ctx);
  };

  if (req.type === 'propname') {
    for (const def of allProperties()) {
      if (def.kinds.includes(r.kind) && (await def.get(r, ctx)) !== undefined) found.push({ name: def.name });
    }
    for (const d of await loadDead()) found.push({ name: d.name });
    return [{ status: 200, props: found }];
  }

  if (req.type === 'allprop') {
    const included = new Set(req.include);
    for (const def of allProperties()) {
      if (!def.kinds.includes(r.kind) || !(def.allprop || included.has(def.name))) continue;
      const value = await def.get(r, ctx);
      if (value !== undefined) found.push(value === null ? { name: def.name } : { name: def.name, value });
      included.delete(def.name);
    }
    for (const d of await loadDead()) found.push({ name: d.name, value: { raw: d.xml } });
    for (const name of included) {
      const value = await live(name);
      if (value !== undefined) found.push(value === null ? { name } : { name, value });
      else if (!(await loadDead()).some((d) => d.name === name)) missing.push({ name });
    }
  } else {
    for (const name of req.names) {
      const value = await live(name);
      if (value !== undefined) {
        found.push(value === null ? { name } : { name, value });
        continue;
      }
      const d = (await loadDead()).find((p) => p.name === name);
      if (d) found.push({ name, value: { raw: d.xml } });
      else missing.push({ name });
    }
  }
  const stats: PropStat[] = [];
  if (found.length || !missing.length || opts.minimal) stats.push({ status: 200, props: found });
  if (missing.length && !opts.minimal) stats.push({ status: 404, props: missing });
  return stats;
}

// Which `<prop>` lists a listing can answer from object rows (issue 13 item 3): a property is cheap
// or dear by what it costs to compute (registry.ts `cost`), not by the request shape a client
// happens to send. Any combination of cheap properties — and of names no definition answers on an
// object, which only a dead property can hold — is row-derived; one dear property is not.
import type { ObjectRow } from '../../store/objects.js';
import type { PropValue } from '../../xml/serialize.js';
import { lookupProperty, type PropertyDef } from './registry.js';

/** The place of the report's own property (calendar-data, given by the caller) in a selection. */
export const SUPPLIED = Symbol('supplied');

/**
 * A row-derived `<prop>` list, in request order: a cheap definition, SUPPLIED, or the name of a
 * property no definition answers on objects (a dead property on some member, else 404).
 */
export interface RowSelection {
  entries: readonly (PropertyDef | typeof SUPPLIED | string)[];
}

/**
 * The selection for `names` when every one of them is `supplied`, of cost 'etag' or 'row', or
 * defined on no object; null when one needs the full resource (the general path, propstats.ts).
 */
export function rowSelection(names: readonly string[], supplied?: string): RowSelection | null {
  const entries: RowSelection['entries'][number][] = [];
  for (const name of names) {
    if (name === supplied) {
      entries.push(SUPPLIED);
      continue;
    }
    const def = lookupProperty(name);
    // As propstats.ts liveValue: a definition not on objects answers nothing there.
    if (!def || !def.kinds.includes('object')) entries.push(name);
    else if (def.fromRow) entries.push(def);
    else return null;
  }
  return { entries };
}

/**
 * The values of one row in request order (`found`) and the names it has no value for (`missing`,
 * null when none): a missing name is 404 unless the member holds it as a dead property.
 */
export function rowValues(sel: RowSelection, o: ObjectRow, supplied?: PropValue): { found: PropValue[]; missing: string[] | null } {
  const found: PropValue[] = [];
  let missing: string[] | null = null;
  for (const e of sel.entries) {
    if (e === SUPPLIED) {
      if (supplied) found.push(supplied);
    } else if (typeof e === 'string') {
      (missing ??= []).push(e);
    } else {
      const value = e.fromRow!(o);
      if (value === undefined) (missing ??= []).push(e.name);
      else found.push(value === null ? { name: e.name } : { name: e.name, value });
    }
  }
  return { found, missing };
}

// Which `<prop>` lists a listing can answer from object rows (issue 13 item 3): a property is cheap
// or dear by what it costs to compute (registry.ts `cost`), not by the request shape a client
// happens to send. Any combination of cheap properties — and of names no definition answers on an
// object, which only a dead property can hold — is row-derived; one dear property is not.
import type { ObjectEtag, ObjectRow } from '../../store/objects.js';
import type { PropValue } from '../../xml/serialize.js';
import { lookupProperty, type PropContent, type PropertyDef } from './registry.js';

/** The place of the report's own property (calendar-data, given by the caller) in a selection. */
export const SUPPLIED = Symbol('supplied');

/**
 * A row-derived `<prop>` list, in request order: a cheap definition, SUPPLIED, or the name of a
 * property no definition answers on objects (a dead property on some member, else 404).
 */
export interface RowSelection {
  entries: readonly (PropertyDef | typeof SUPPLIED | string)[];
  /** Some property is of cost 'row': the rows must be ObjectRows, not the narrower ObjectEtags. */
  wide: boolean;
}

/**
 * The selection for `names` when every one of them is `supplied`, of cost 'etag' or 'row', or
 * defined on no object; null when one needs the full resource (the general path, propstats.ts).
 */
export function rowSelection(names: readonly string[], supplied?: string): RowSelection | null {
  const entries: RowSelection['entries'][number][] = [];
  let wide = false;
  for (const name of names) {
    if (name === supplied) {
      entries.push(SUPPLIED);
      continue;
    }
    const def = lookupProperty(name);
    // As propstats.ts liveValue: a definition not on objects answers nothing there.
    if (!def || !def.kinds.includes('object')) entries.push(name);
    else if (def.fromEtag || def.fromRow) {
      entries.push(def);
      if (def.fromRow) wide = true;
    } else return null;
  }
  return { entries, wide };
}

/**
 * The values of one row in request order (`found`) and the names it has no value for (`missing`,
 * null when none): a missing name is 404 unless the member holds it as a dead property. `o` is an
 * ObjectRow when the selection is `wide`.
 */
export function rowValues(sel: RowSelection, o: ObjectEtag | ObjectRow, supplied?: PropValue): { found: PropValue[]; missing: string[] | null } {
  const found: PropValue[] = [];
  let missing: string[] | null = null;
  for (const e of sel.entries) {
    if (e === SUPPLIED) {
      if (supplied) found.push(supplied);
    } else if (typeof e === 'string') {
      (missing ??= []).push(e);
    } else {
      const value = valueOf(e, o);
      if (value === undefined) (missing ??= []).push(e.name);
      else found.push(value === null ? { name: e.name } : { name: e.name, value });
    }
  }
  return { found, missing };
}

/** The value of a cheap definition on a row (an ObjectRow for a 'row' one: RowSelection.wide). */
export function valueOf(def: PropertyDef, o: ObjectEtag | ObjectRow): PropContent | undefined {
  return def.fromEtag ? def.fromEtag(o) : def.fromRow!(o as ObjectRow);
}

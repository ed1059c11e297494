// The instructions of a DAV:propertyupdate (RFC 4918 §14.19) and of the bodies that carry the
// same set/remove lists — extended MKCOL (RFC 5689 §5.1) and MKCALENDAR (RFC 4791 §5.3.1) — read
// into typed instructions, validated against the property registry (live properties through
// their `set`, protected ones refused, unknown ones kept as dead properties, within the
// configured limits), and the propstats of a refusal. Shared by methods/proppatch.ts,
// methods/mkcol.ts, methods/mkcalendar.ts and create-collection.ts, so that none of them imports
// another method's file.
import { DAV } from '../xml/names.js';
import { serializeElement, type XmlElement } from '../xml/parse.js';
import type { PropStat } from '../xml/serialize.js';
import type { CollectionPatch } from '../store/types.js';
import { badRequest } from './errors.js';
import { deadPropertyKey } from './propstats.js';
import { PropertyRejected, lookupProperty } from './properties/index.js';
import type { Resource } from './resources.js';

export interface Instruction {
  name: string;
  element: XmlElement | null; // null = remove
}

export function parseInstructions(root: XmlElement, container: string): Instruction[] {
  const out: Instruction[] = [];
  for (const op of root.children) {
    if (op.name !== DAV.set && op.name !== DAV.remove) continue;
    const prop = op.children.find((c) => c.name === DAV.prop);
    if (!prop) throw badRequest(`${container}: set/remove without prop`);
    for (const el of prop.children) out.push({ name: el.name, element: op.name === DAV.set ? el : null });
  }
  return out;
}

export interface Outcome {
  live: CollectionPatch;
  dead: { name: string; xml: string | null }[];
  failures: Map<string, { status: number; condition?: string; message: string }>;
}

/**
 * What one resource's properties may take (issue 11: 10,000 dead properties and a 500 KB
 * displayname were stored). Beyond them a property is refused with 507 Insufficient Storage, the
 * status RFC 4918 §9.2.1 names for "did not have sufficient space to record the property" (a 403
 * would say the server chooses not to tell why); the others of the request get 424, so nothing
 * is stored.
 */
export interface PropertyLimits {
  /** Bytes of one property element as sent (serialized). */
  maxPropertySize: number;
  /** Dead properties one resource may hold after the request. */
  maxDeadProperties: number;
  /** Names of the dead properties the resource holds now. */
  existingDead?: ReadonlySet<string>;
}

/** Validates every instruction; used by PROPPATCH and by the initial properties of MKCALENDAR/MKCOL. */
export function validateInstructions(r: Resource, instructions: Instruction[], opts: { liveAllowed?: boolean; limits?: PropertyLimits } = {}): Outcome {
  const out: Outcome = { live: {}, dead: [], failures: new Map() };
  const deadAllowed = deadPropertyKey(r) !== null;
  const limits = opts.limits;
  for (const ins of instructions) {
    const xml = ins.element ? serializeElement(ins.element) : null;
    if (limits && xml !== null && Buffer.byteLength(xml) > limits.maxPropertySize) {
      out.failures.set(ins.name, { status: 507, message: `The value is larger than ${limits.maxPropertySize} bytes, the most one property may hold` });
      continue;
    }
    const def = lookupProperty(ins.name);
    // A protected live property stays protected where it is not computed (DAV:getetag on a
    // collection): storing it as a dead property would shadow the live one.
    if (def && def.protected && !def.kinds.includes(r.kind)) {
      out.failures.set(ins.name, { status: 403, condition: DAV.cannotModifyProtectedProperty, message: 'protected property' });
      continue;
    }
    if (def && def.kinds.includes(r.kind)) {
      if (def.protected || !def.set) {
        out.failures.set(ins.name, { status: 403, condition: DAV.cannotModifyProtectedProperty, message: 'protected property' });
        continue;
      }
      if (opts.liveAllowed === false) {
        out.failures.set(ins.name, { status: 403, condition: DAV.needPrivileges, message: 'only the owner changes this property' });
        continue;
      }
      try {
        Object.assign(out.live, def.set(r, ins.element));
      } catch (err) {
        if (!(err instanceof PropertyRejected)) throw err;
        out.failures.set(ins.name, { status: err.status, ...(err.condition ? { condition: err.condition } : {}), message: err.message });
      }
      continue;
    }
    if (!deadAllowed) {
      out.failures.set(ins.name, { status: 403, message: 'properties cannot be stored on this resource' });
      continue;
    }
    out.dead.push({ name: ins.name, xml });
  }
  if (limits && out.dead.length > 0) {
    // The count after the request, instructions applied in document order (RFC 4918 §9.2).
    const held = new Set(limits.existingDead ?? []);
    for (const d of out.dead) {
      if (d.xml === null) held.delete(d.name);
      else held.add(d.name);
    }
    if (held.size > limits.maxDeadProperties) {
      for (const d of out.dead) {
        if (d.xml !== null && !limits.existingDead?.has(d.name)) {
          out.failures.set(d.name, { status: 507, message: `A resource holds at most ${limits.maxDeadProperties} dead properties (${held.size} after this request)` });
        }
      }
    }
  }
  return out;
}

export function failureStats(instructions: Instruction[], failures: Outcome['failures']): PropStat[] {
  // Failures alike (same status, condition and message) share one propstat: 10,000 refused
  // properties are one propstat of 10,000 names, not 10,000 propstats (RFC 4918 §14.22 allows both).
  const groups = new Map<string, PropStat & { props: { name: string }[] }>();
  for (const [name, f] of failures) {
    const key = `${f.status}\u0000${f.condition ?? ''}\u0000${f.message}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { status: f.status, props: [], description: f.message, ...(f.condition ? { error: { name: f.condition } } : {}) }));
    g.props.push({ name });
  }
  const stats: PropStat[] = [...groups.values()];
  const rest = instructions.filter((i) => !failures.has(i.name)).map((i) => ({ name: i.name }));
  if (rest.length) stats.push({ status: 424, props: rest });
  return stats;
}


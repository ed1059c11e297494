// PROPPATCH (RFC 4918 §9.2): all instructions succeed or none do. Each property is first
// validated — live properties through their registered `set`, protected ones refused with
// cannot-modify-protected-property, unknown ones kept verbatim as dead properties — and only
// when every one passes are they written, in one store transaction. When one fails, it gets its
// own status and the others 424 Failed Dependency.
import { DAV } from '../../xml/names.js';
import { serializeElement, type XmlElement } from '../../xml/parse.js';
import type { PropStat } from '../../xml/serialize.js';
import type { CollectionPatch } from '../../store/types.js';
import type { MethodHandler } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { multistatus } from '../multistatus.js';
import { requireWrite } from '../privileges.js';
import { deadPropertyKey } from '../propstats.js';
import { PropertyRejected, lookupProperty } from '../properties/index.js';
import type { Resource } from '../resources.js';
import { expectRoot, readXmlBody } from '../xml-body.js';

interface Instruction {
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

interface Outcome {
  live: CollectionPatch;
  dead: { name: string; xml: string | null }[];
  failures: Map<string, { status: number; condition?: string; message: string }>;
}

/** Validates every instruction; used by PROPPATCH and by the initial properties of MKCALENDAR/MKCOL. */
export function validateInstructions(r: Resource, instructions: Instruction[], opts: { liveAllowed?: boolean } = {}): Outcome {
  const out: Outcome = { live: {}, dead: [], failures: new Map() };
  const deadAllowed = deadPropertyKey(r) !== null;
  for (const ins of instructions) {
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
    out.dead.push({ name: ins.name, xml: ins.element ? serializeElement(ins.element) : null });
  }
  return out;
}

export function failureStats(instructions: Instruction[], failures: Outcome['failures']): PropStat[] {
  const stats: PropStat[] = [];
  for (const [name, f] of failures) {
    stats.push({ status: f.status, props: [{ name }], description: f.message, ...(f.condition ? { error: { name: f.condition } } : {}) });
  }
  const rest = instructions.filter((i) => !failures.has(i.name)).map((i) => ({ name: i.name }));
  if (rest.length) stats.push({ status: 424, props: rest });
  return stats;
}

export const proppatch: MethodHandler = async (req, svc, resource) => {
  if (resource.kind === 'missing') throw notFound();
  const root = await readXmlBody(req, svc);
  if (!root) throw badRequest('PROPPATCH needs a propertyupdate body');
  expectRoot(root, DAV.propertyupdate, 'DAV:propertyupdate');
  requireWrite(resource, 'write-properties');
  const key = deadPropertyKey(resource);
  const instructions = parseInstructions(root, 'propertyupdate');
  // Sharees may not rename or recolour the owner's calendar for everyone.
  const liveAllowed = !(resource.kind === 'calendar' && resource.access !== 'owner');
  const outcome = validateInstructions(resource, instructions, { liveAllowed });
  if (outcome.failures.size > 0) {
    return multistatus([{ href: resource.href, propstats: failureStats(instructions, outcome.failures) }]);
  }
  if (!key) throw forbidden('Properties cannot be changed on this resource');
  await svc.store.patchDeadProperties(key.collectionId, key.name, outcome.dead, Object.keys(outcome.live).length ? outcome.live : undefined);
  return multistatus([{ href: resource.href, propstats: [{ status: 200, props: instructions.map((i) => ({ name: i.name })) }] }]);
};

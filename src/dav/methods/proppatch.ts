// PROPPATCH (RFC 4918 §9.2): all instructions succeed or none do. Each property is first
// validated — live properties through their registered `set`, protected ones refused with
// cannot-modify-protected-property, unknown ones kept verbatim as dead properties — and only
// when every one passes are they written, in one store transaction. When one fails, it gets its
// own status and the others 424 Failed Dependency. The instructions are read and validated by
// property-update.ts (shared with MKCOL and MKCALENDAR).
import { DAV } from '../../xml/names.js';
import type { MethodHandler } from '../handler-types.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { multistatus } from '../multistatus.js';
import { requireWrite } from '../privileges.js';
import { deadPropertyKey } from '../propstats.js';
import { failureStats, parseInstructions, validateInstructions, type Outcome } from '../property-update.js';
import { LimitReached } from '../../store/errors.js';
import { expectRoot, readXmlBody } from '../xml-body.js';

export const proppatch: MethodHandler = async (req, svc, resource) => {
  if (resource.kind === 'missing') throw notFound();
  const root = await readXmlBody(req, svc);
  if (!root) throw badRequest('PROPPATCH needs a propertyupdate body');
  expectRoot(root, DAV.propertyupdate, 'DAV:propertyupdate');
  requireWrite(resource, 'write-properties');
  const key = deadPropertyKey(resource);
  const instructions = parseInstructions(root, 'propertyupdate');
  // Sharees may not rename or recolour the owner's calendar (or address book) for everyone.
  const liveAllowed = !((resource.kind === 'calendar' || resource.kind === 'addressbook') && resource.access !== 'owner');
  const existingDead = key && instructions.some((i) => i.element) ? new Set((await svc.store.getDeadProperties(key.collectionId, key.name)).map((p) => p.name)) : undefined;
  const limits = { maxPropertySize: svc.config.maxPropertySize, maxDeadProperties: svc.config.maxDeadProperties, ...(existingDead ? { existingDead } : {}) };
  const outcome = validateInstructions(resource, instructions, { liveAllowed, limits });
  if (outcome.failures.size > 0) {
    return multistatus([{ href: resource.href, propstats: failureStats(instructions, outcome.failures) }]);
  }
  if (!key) throw forbidden('Properties cannot be changed on this resource');
  try {
    // The limit again in the write's transaction: the count above was read before it, and
    // concurrent PROPPATCHes each under the limit as counted could pass it together.
    await svc.store.patchDeadProperties(key.collectionId, key.name, outcome.dead, Object.keys(outcome.live).length ? outcome.live : undefined, { maxDeadProperties: svc.config.maxDeadProperties });
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err;
    const failures: Outcome['failures'] = new Map();
    for (const d of outcome.dead) {
      if (d.xml !== null) failures.set(d.name, { status: 507, message: `A resource holds at most ${svc.config.maxDeadProperties} dead properties` });
    }
    return multistatus([{ href: resource.href, propstats: failureStats(instructions, failures) }]);
  }
  return multistatus([{ href: resource.href, propstats: [{ status: 200, props: instructions.map((i) => ({ name: i.name })) }] }]);
};

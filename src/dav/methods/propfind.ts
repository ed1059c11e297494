// PROPFIND (RFC 4918 §9.1): properties of a resource (Depth 0) or of it and its members (Depth 1).
// Depth infinity is refused with propfind-finite-depth (§9.1, §16). PROPFIND never parses
// iCalendar: everything it reports comes from columns (ARCHITECTURE.md "Hot paths").
import type { ResponseEntry } from '../../xml/serialize.js';
import { DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { MethodHandler } from '../context.js';
import { depthOf } from '../depth.js';
import { badRequest, propfindFiniteDepth } from '../errors.js';
import { membersOf } from '../members.js';
import { multistatus } from '../multistatus.js';
import { preferenceApplied, wantsMinimal } from '../prefer.js';
import { propstatsFor, type PropRequest } from '../propstats.js';
import type { PropContext } from '../properties/index.js';
import { isCollectionKind, type Resource } from '../resources.js';
import { expectRoot, readXmlBody } from '../xml-body.js';

export function parsePropRequest(root: XmlElement | null): PropRequest {
  if (root === null) return { type: 'allprop', include: [] };
  expectRoot(root, DAV.propfind, 'DAV:propfind');
  const kinds = root.children.filter((c) => c.name === DAV.prop || c.name === DAV.allprop || c.name === DAV.propname);
  if (kinds.length !== 1) throw badRequest('propfind must hold exactly one of prop, allprop, propname');
  const kind = kinds[0]!;
  if (kind.name === DAV.propname) return { type: 'propname' };
  if (kind.name === DAV.allprop) {
    const include = root.children.find((c) => c.name === DAV.include);
    return { type: 'allprop', include: include ? include.children.map((c) => c.name) : [] };
  }
  return { type: 'prop', names: [...new Set(kind.children.map((c) => c.name))] };
}

export async function propContextFor(svc: { store: PropContext['store']; config: PropContext['config'] }, resources: Resource[], user?: PropContext['user']): Promise<PropContext> {
  const ctx: PropContext = { store: svc.store, config: svc.config, ...(user ? { user } : {}) };
  const home = resources.find((r) => r.kind === 'home');
  if (home && home.kind === 'home') ctx.homeSeq = await svc.store.homeSeq(home.user.id);
  return ctx;
}

export const propfind: MethodHandler = async (req, svc, resource) => {
  let depth = depthOf(req, 'infinity');
  // Only a collection's Depth: infinity is costly; a non-collection has no members, so any depth
  // (and a missing Depth header, which means infinity, §10.2) is Depth 0 there.
  if (depth === 'infinity' && !isCollectionKind(resource)) depth = '0';
  if (depth === 'infinity') throw propfindFiniteDepth();
  const propReq = parsePropRequest(await readXmlBody(req, svc));
  const members = depth === '1' ? await membersOf(svc.store, req.user, resource) : [];
  const ctx = await propContextFor(svc, [resource, ...members], req.user);
  const minimal = wantsMinimal(req);
  async function* entries(): AsyncGenerator<ResponseEntry> {
    for (const r of [resource, ...members]) yield { href: r.href, propstats: await propstatsFor(r, propReq, ctx, { minimal }) };
  }
  return multistatus(entries(), { headers: { ...preferenceApplied(req), Vary: 'Brief, Prefer' } });
};

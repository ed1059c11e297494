// calendar-multiget (RFC 4791 §7.9): the listed objects with the requested properties, usually
// getetag and calendar-data, in one round trip. Thunderbird asks in batches of 100 (CLIENTS.md
// §2.3). Hrefs inside the addressed calendar are fetched with one query; others are resolved one
// by one; unknown or unreachable ones are answered 404 in their own response.
import { CALDAV, DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { okResponseXml, type ResponseEntry } from '../../xml/serialize.js';
import type { StoredObject } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../context.js';
import { badRequest, DavError } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus } from '../multistatus.js';
import { hrefToPath } from '../paths.js';
import { propstatsFor } from '../propstats.js';
import { etagDerivedDefs, etagDerivedValues } from '../properties/index.js';
import { isWholeObject } from '../../ical/expand.js';
import { resolve, type CollectionResource, type Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { calendarDataElement, calendarDataExtra, parseCalendarDataRequest, queryOptionsFor, reportPropRequest, wantsCalendarData } from './common.js';
import { textOf } from '../../xml/parse.js';
import { propContextFor } from '../methods/propfind.js';
import { isSharee, visibleObjects, visibleText } from '../sharee-view.js';

// An absolute path of unreserved characters without dot segments (what clients send, from our own
// listing) is its own URL path and its own decoding: no URL parsing per href.
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+\/?$/;

/** The decoded path of a multiget href, or null when it is not one of ours or undecodable. */
function decodedPath(href: string, origin: string): string | null {
  if (PLAIN_PATH.test(href)) return href;
  const path = hrefToPath(href, origin);
  if (path === null) return null;
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

export async function calendarMultiget(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  const propReq = reportPropRequest(root);
  const hrefs = root.children.filter((c) => c.name === DAV.href).map((h) => textOf(h).trim());
  if (hrefs.length === 0) throw badRequest('calendar-multiget needs at least one href');
  if (hrefs.length > svc.config.maxMultigetHrefs) throw new DavError(403, DAV.numberOfMatchesWithinLimits, `At most ${svc.config.maxMultigetHrefs} hrefs per calendar-multiget`);
  const withData = wantsCalendarData(propReq);
  const dataReq = withData ? parseCalendarDataRequest(calendarDataElement(root)) : null;
  const minimal = wantsMinimal(req);
  const ctx = await propContextFor(svc, []);
  // A sharee: private members answer 404, confidential ones their busy view (sharee-view.ts).
  const sharee = isSharee(target);

  // Members of the addressed collection are fetched together.
  const local = new Map<string, string>(); // decoded path → member name
  const paths = hrefs.map((h) => decodedPath(h, req.origin));
  if (target.kind === 'calendar' || target.kind === 'collection') {
    for (const p of paths) {
      if (p && p.startsWith(target.href) && !p.slice(target.href.length).includes('/') && p.length > target.href.length) local.set(p, p.slice(target.href.length));
    }
  }

  // What clients send after a listing — getetag and the stored calendar-data of members of the
  // addressed calendar — is read in three columns and rendered straight to text, like the etag
  // listing (methods/propfind.ts).
  if ((target.kind === 'calendar' || target.kind === 'collection') && isWholeObject(dataReq) && paths.every((p) => p === null || local.has(p))) {
    const props = propReq.type === 'prop' && propReq.names.includes(CALDAV.calendarData) ? etagDerivedDefs(propReq.names, CALDAV.calendarData) : null;
    if (props) {
      const byName = new Map((await svc.store.getObjectTexts(target.collection.id, [...new Set(local.values())])).flatMap((row) => {
        const o = visibleText(sharee, row);
        return o ? [[o.name, o] as const] : [];
      }));
      const items: (ResponseEntry | string)[] = [];
      for (let i = 0; i < hrefs.length; i++) {
        const path = paths[i];
        const o = path ? byName.get(local.get(path)!) : undefined;
        if (!o) items.push({ href: path ?? hrefs[i]!, status: 404 });
        else items.push(okResponseXml(target.href + o.name, etagDerivedValues(props, o, { name: CALDAV.calendarData, value: o.text })));
      }
      return multistatus(items);
    }
  }

  // Entries are built up front (a batch is at most maxMultigetHrefs objects, already in memory)
  // and rendered synchronously; only hrefs outside the addressed collection need awaiting.
  let fetched = new Map<string, StoredObject>();
  if (target.kind === 'calendar' || target.kind === 'collection') {
    fetched = new Map(visibleObjects(sharee, await svc.store.getObjects(target.collection.id, [...new Set(local.values())])).map((o) => [o.name, o]));
  }
  const localOptions = target.kind === 'calendar' || target.kind === 'collection' ? queryOptionsFor(target.collection, svc.config) : undefined;
  const entries: ResponseEntry[] = [];
  for (let i = 0; i < hrefs.length; i++) {
    const path = paths[i];
    if (!path) {
      entries.push({ href: hrefs[i]!, status: 404 });
      continue;
    }
    let parent: CollectionResource | null = null;
    let obj: StoredObject | undefined;
    const name = local.get(path);
    if (name !== undefined && (target.kind === 'calendar' || target.kind === 'collection')) {
      parent = target;
      obj = fetched.get(name);
    } else {
      const r = await resolve(svc.store, req.user, encodeURI(path)).catch(() => null);
      if (r?.kind === 'object') {
        parent = r.parent;
        const stored = await svc.store.getObject(r.parent.collection.id, r.name);
        obj = stored ? visibleObjects(isSharee(r.parent), [stored])[0] : undefined;
      }
    }
    if (!parent || !obj) {
      entries.push({ href: path, status: 404 });
      continue;
    }
    const resource = objectResource(parent, obj);
    const options = parent === target && localOptions ? localOptions : queryOptionsFor(parent.collection, svc.config);
    const propstats = propstatsFor(resource, propReq, ctx, { minimal, ...(withData ? { extra: calendarDataExtra(obj, dataReq, options) } : {}) });
    entries.push({ href: resource.href, propstats: propstats instanceof Promise ? await propstats : propstats });
  }
  return multistatus(entries);
}

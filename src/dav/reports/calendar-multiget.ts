// calendar-multiget (RFC 4791 §7.9): the listed objects with the requested properties, usually
// getetag and calendar-data, in one round trip. Thunderbird asks in batches of 100 (CLIENTS.md
// §2.3). Hrefs inside the addressed calendar are fetched with one query; others are resolved one
// by one; unknown or unreachable ones are answered 404 in their own response.
import { DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { ResponseEntry } from '../../xml/serialize.js';
import type { StoredObject } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../context.js';
import { badRequest, DavError } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus } from '../multistatus.js';
import { hrefToPath } from '../paths.js';
import { propstatsFor } from '../propstats.js';
import { resolve, type CollectionResource, type Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { calendarDataElement, calendarDataExtra, parseCalendarDataRequest, queryOptionsFor, reportPropRequest, wantsCalendarData } from './common.js';
import { textOf } from '../../xml/parse.js';
import { propContextFor } from '../methods/propfind.js';

export async function calendarMultiget(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  const propReq = reportPropRequest(root);
  const hrefs = root.children.filter((c) => c.name === DAV.href).map((h) => textOf(h).trim());
  if (hrefs.length === 0) throw badRequest('calendar-multiget needs at least one href');
  if (hrefs.length > svc.config.maxMultigetHrefs) throw new DavError(403, DAV.numberOfMatchesWithinLimits, `At most ${svc.config.maxMultigetHrefs} hrefs per calendar-multiget`);
  const withData = wantsCalendarData(propReq);
  const dataReq = withData ? parseCalendarDataRequest(calendarDataElement(root)) : null;
  const minimal = wantsMinimal(req);
  const ctx = await propContextFor(svc, []);

  // Fast path: members of the addressed collection, fetched together.
  const local = new Map<string, string>(); // decoded path → member name
  const paths = hrefs.map((h) => {
    const path = hrefToPath(h, req.origin);
    if (path === null) return null;
    try {
      return decodeURIComponent(path);
    } catch {
      return null;
    }
  });
  let fetched = new Map<string, StoredObject>();
  if (target.kind === 'calendar' || target.kind === 'collection') {
    for (const p of paths) {
      if (p && p.startsWith(target.href) && !p.slice(target.href.length).includes('/') && p.length > target.href.length) local.set(p, p.slice(target.href.length));
    }
    const objects = await svc.store.getObjects(target.collection.id, [...new Set(local.values())]);
    fetched = new Map(objects.map((o) => [o.name, o]));
  }

  async function* entries(): AsyncGenerator<ResponseEntry> {
    for (let i = 0; i < hrefs.length; i++) {
      const path = paths[i];
      if (!path) {
        yield { href: hrefs[i]!, status: 404 };
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
          obj = (await svc.store.getObject(r.parent.collection.id, r.name)) ?? undefined;
        }
      }
      if (!parent || !obj) {
        yield { href: path, status: 404 };
        continue;
      }
      const resource = objectResource(parent, obj);
      yield { href: resource.href, propstats: await propstatsFor(resource, propReq, ctx, { minimal, ...(withData ? { extra: calendarDataExtra(obj, dataReq, queryOptionsFor(parent.collection, svc.config)) } : {}) }) };
    }
  }
  return multistatus(entries());
}

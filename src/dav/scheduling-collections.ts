// The scheduling inbox and outbox of each user (RFC 6638 §2.1–2.2), at
// /dav/calendars/<user>/inbox/ and /dav/calendars/<user>/outbox/. They are not calendars (their
// messages live in the schedule_inbox table, not in collections), so they are answered here,
// before the generic resolver: PROPFIND (Depth 0/1), GET/HEAD, DELETE of a message, REPORT
// sync-collection and calendar-multiget on the inbox, POST of a free/busy request to the outbox
// (scheduling/outbox.ts). MKCALENDAR or MKCOL there is 403 DAV:resource-must-be-null: the two
// names are reserved in every home (migration 008 renamed any calendar that held them).
import type { DavRequest, DavResponse, DavServices } from './handler-types.js';
import { CALDAV, CS, DAV, SCHED } from '../xml/names.js';
import { textOf, type XmlElement } from '../xml/parse.js';
import { el, hrefNode, type PropStat, type PropValue, type ResponseEntry, type XmlChild } from '../xml/serialize.js';
import { DAV_CLASSES } from './allow.js';
import { DavError, badRequest, forbidden, methodNotAllowed, notFound, resourceMustBeNull, validSyncToken } from './errors.js';
import { SCHEDULING_SEGMENTS } from '../urls.js';
import { checkRead, writeConditions } from './conditional.js';
import { depthOf } from './depth.js';
import { multistatus } from './multistatus.js';
import { parsePropRequest } from './requests/prop-request.js';
import { readXmlBody } from './xml-body.js';
import { translated } from './store-errors.js';
import { collectionPageText, ctagOf, httpDate, parseSyncToken, syncTokenOf } from './properties/values.js';
import { calendarHref, hrefToPath, parseDavPath, principalHref } from './paths.js';
import type { InboxMessage, User } from '../store/types.js';
import { outboxPost } from './scheduling-outbox.js';

type PropfindLike = { type: 'prop'; names: string[] } | { type: 'allprop' } | { type: 'propname' };

export const INBOX = 'inbox';
export const OUTBOX = 'outbox';

export const inboxHref = (username: string) => calendarHref(username, INBOX);
export const outboxHref = (username: string) => calendarHref(username, OUTBOX);

type Target =
  | { kind: 'inbox'; user: User; href: string }
  | { kind: 'outbox'; user: User; href: string }
  | { kind: 'message'; user: User; href: string; name: string };

function targetOf(req: DavRequest): Target | null {
  const parsed = parseDavPath(req.path);
  if (!parsed || parsed.area !== 'calendars' || parsed.user !== req.user.username) return null;
  const [first, second, ...rest] = parsed.segments;
  if (first !== INBOX && first !== OUTBOX) return null;
  if (rest.length > 0) throw notFound();
  const user = req.user;
  if (second === undefined) return { kind: first === INBOX ? 'inbox' : 'outbox', user, href: calendarHref(user.username, first) };
  if (first === OUTBOX) throw notFound('The outbox holds no resources (RFC 6638 §2.1)');
  return { kind: 'message', user, href: inboxHref(user.username) + second, name: second };
}

function intoReserved(req: DavRequest): boolean {
  const dest = req.header('destination');
  const path = dest ? hrefToPath(dest, req.origin) : null;
  const parsed = path ? parseDavPath(path) : null;
  return parsed?.area === 'calendars' && parsed.segments.length >= 1 && SCHEDULING_SEGMENTS.has(parsed.segments[0]!);
}

const ALLOW = {
  inbox: 'OPTIONS, GET, HEAD, PROPFIND, REPORT',
  outbox: 'OPTIONS, GET, HEAD, PROPFIND, POST',
  message: 'OPTIONS, GET, HEAD, PROPFIND, DELETE',
} as const;

/** The answer for a request on the user's own inbox or outbox, or null for any other path. */
export async function handleSchedulingCollection(req: DavRequest, svc: DavServices): Promise<DavResponse | null> {
  // Nothing may be copied or moved onto the two reserved names either (it would hide there).
  if ((req.method === 'COPY' || req.method === 'MOVE') && intoReserved(req)) throw forbidden('inbox and outbox are the scheduling inbox and outbox (RFC 6638 §2); choose another name');
  const target = targetOf(req);
  if (!target) return null;
  const allow = ALLOW[target.kind];
  if (req.method === 'MKCALENDAR' || req.method === 'MKCOL') throw resourceMustBeNull();
  if (req.method === 'OPTIONS') return { status: 200, headers: { DAV: DAV_CLASSES, Allow: allow, 'Content-Length': '0' }, body: null };
  if (!allow.split(', ').includes(req.method)) throw methodNotAllowed(allow, `${req.method} is not allowed on the scheduling ${target.kind === 'message' ? 'inbox message' : target.kind}`);
  const message = target.kind === 'message' ? await svc.store.getInboxMessage(target.user.id, target.name) : null;
  if (target.kind === 'message' && !message) throw notFound();
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      if (message) {
        if (checkRead(req, message.etag, message.createdAt) === 'not-modified') return { status: 304, headers: { ETag: message.etag }, body: null };
        return { status: 200, headers: { 'Content-Type': contentType(message), ETag: message.etag, 'Last-Modified': httpDate(message.createdAt), 'Content-Length': String(message.size) }, body: req.method === 'HEAD' ? null : message.data };
      }
      const text = collectionPageText(target.href);
      return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) }, body: req.method === 'HEAD' ? null : text };
    }
    case 'DELETE':
      await translated(() => svc.store.deleteInboxMessage(target.user.id, (target as { name: string }).name, writeConditions(req)));
      return { status: 204, body: null };
    case 'PROPFIND':
      return propfind(req, svc, target);
    case 'REPORT':
      return report(req, svc, target);
    case 'POST':
      return outboxPost(req, svc);
    default:
      throw methodNotAllowed(allow);
  }
}

const contentType = (m: { method: string }) => `text/calendar; charset=utf-8; method=${m.method}; component=vevent`;

async function inboxSeq(svc: DavServices, user: User): Promise<number> {
  return (await svc.store.inboxChanges(user.id, 0)).seq;
}

/** The properties of the inbox, the outbox and a message, by Clark name (a small closed set: RFC 6638 §2, §9). */
async function propertiesOf(svc: DavServices, target: Target | { kind: 'message'; user: User; href: string; name: string; message: InboxMessage }): Promise<Map<string, PropValue['value'] | null>> {
  const p = new Map<string, PropValue['value'] | null>();
  const user = target.user;
  p.set(DAV.currentUserPrincipal, [hrefNode(principalHref(user.username))]);
  p.set(DAV.owner, [hrefNode(principalHref(user.username))]);
  if (target.kind === 'message') {
    const m = 'message' in target ? target.message : (await svc.store.getInboxMessage(user.id, target.name))!;
    p.set(DAV.resourcetype, []);
    p.set(DAV.getetag, m.etag);
    p.set(DAV.getcontenttype, contentType(m));
    p.set(DAV.getcontentlength, String(m.size));
    p.set(DAV.getlastmodified, httpDate(m.createdAt));
    p.set(DAV.currentUserPrivilegeSet, [DAV.read, DAV.unbind, DAV.readCurrentUserPrivilegeSet].map((n) => el(DAV.privilege, [el(n)])));
    return p;
  }
  const inbox = target.kind === 'inbox';
  p.set(DAV.resourcetype, [el(DAV.collection), el(inbox ? SCHED.scheduleInbox : SCHED.scheduleOutbox)]);
  p.set(DAV.displayname, inbox ? 'Inbox' : 'Outbox');
  // RFC 6638 §6.1.1: schedule-deliver on the inbox, schedule-send on the outbox (with their
  // -invite/-reply/-query parts implied); read and unbind let the owner list and delete messages.
  const own = inbox ? [DAV.read, DAV.unbind, SCHED.scheduleDeliver] : [DAV.read, SCHED.scheduleSend];
  p.set(DAV.currentUserPrivilegeSet, [...own, DAV.readCurrentUserPrivilegeSet].map((n) => el(DAV.privilege, [el(n)])));
  const reports: XmlChild[] = inbox ? [DAV.syncCollection, CALDAV.calendarMultiget].map((n) => el(DAV.supportedReport, [el(DAV.report, [el(n)])])) : [];
  p.set(DAV.supportedReportSet, reports);
  if (inbox) {
    const seq = await inboxSeq(svc, user);
    p.set(DAV.syncToken, syncTokenOf(seq));
    p.set(CS.getctag, ctagOf(seq));
    const cal = await svc.scheduler.defaultCalendar(user);
    if (cal) p.set(SCHED.scheduleDefaultCalendarURL, [hrefNode(calendarHref(user.username, cal.uri))]);
  }
  return p;
}

function propstatsFrom(props: Map<string, PropValue['value'] | null>, req: PropfindLike): PropStat[] {
  if (req.type === 'propname') return [{ status: 200, props: [...props.keys()].map((name) => ({ name })) }];
  const names = req.type === 'prop' ? req.names : [...props.keys()];
  const ok: PropValue[] = [];
  const missing: PropValue[] = [];
  for (const name of names) {
    const v = props.get(name);
    if (v === undefined) missing.push({ name });
    else ok.push(v === null ? { name } : { name, value: v });
  }
  const out: PropStat[] = [];
  if (ok.length) out.push({ status: 200, props: ok });
  if (missing.length) out.push({ status: 404, props: missing });
  return out;
}

async function propfind(req: DavRequest, svc: DavServices, target: Target): Promise<DavResponse> {
  const depth = depthOf(req, 'infinity');
  const propReq = parsePropRequest(await readXmlBody(req, svc)) as PropfindLike;
  const entries: ResponseEntry[] = [{ href: target.href, propstats: propstatsFrom(await propertiesOf(svc, target), propReq) }];
  if (target.kind === 'inbox' && depth !== '0') {
    for (const m of await svc.store.listInbox(target.user.id)) {
      const t = { kind: 'message' as const, user: target.user, href: target.href + m.name, name: m.name, message: m };
      entries.push({ href: t.href, propstats: propstatsFrom(await propertiesOf(svc, t), propReq) });
    }
  }
  return multistatus(entries);
}

/** sync-collection (RFC 6578) and calendar-multiget (RFC 4791 §7.9) over the inbox's messages. */
async function report(req: DavRequest, svc: DavServices, target: Target): Promise<DavResponse> {
  if (target.kind !== 'inbox') throw methodNotAllowed(ALLOW[target.kind]);
  const root = await readXmlBody(req, svc);
  if (!root) throw badRequest('REPORT needs a body');
  const propEl = root.children.find((c) => c.name === DAV.prop);
  const names = propEl ? propEl.children.map((c) => c.name) : [DAV.getetag];
  const user = target.user;
  const render = async (name: string): Promise<ResponseEntry> => {
    const m = await svc.store.getInboxMessage(user.id, name);
    const href = target.href + name;
    if (!m) return { href, status: 404 };
    const props = await propertiesOf(svc, { kind: 'message', user, href, name, message: m });
    props.set(CALDAV.calendarData, m.data.toString('utf8'));
    return { href, propstats: propstatsFrom(props, { type: 'prop', names }) };
  };
  if (root.name === CALDAV.calendarMultiget) {
    const hrefs = root.children.filter((c) => c.name === DAV.href).map((h) => textOf(h).trim());
    if (hrefs.length > svc.config.maxMultigetHrefs) throw new DavError(403, DAV.numberOfMatchesWithinLimits, `At most ${svc.config.maxMultigetHrefs} hrefs`);
    const entries: ResponseEntry[] = [];
    for (const h of new Set(hrefs)) {
      const path = hrefToPath(h, req.origin);
      const decoded = path ? safeDecode(path) : null;
      if (!decoded || !decoded.startsWith(target.href)) {
        entries.push({ href: decoded ?? h, status: 404 });
        continue;
      }
      entries.push(await render(decoded.slice(target.href.length)));
    }
    return multistatus(entries);
  }
  if (root.name !== DAV.syncCollection) throw new DavError(403, DAV.supportedReport, 'The inbox answers sync-collection and calendar-multiget');
  const tokenEl = root.children.find((c) => c.name === DAV.syncToken);
  if (!tokenEl) throw badRequest('sync-collection needs a sync-token element');
  const token = textOf(tokenEl).trim();
  const since = token === '' ? 0 : parseSyncToken(token);
  if (since === null) throw validSyncToken();
  const changes = await translated(() => svc.store.inboxChanges(user.id, since));
  const entries: ResponseEntry[] = [];
  for (const c of changes.changes) entries.push(c.deleted ? { href: target.href + c.name, status: 404 } : await render(c.name));
  return multistatus(entries, { syncToken: syncTokenOf(Math.max(changes.seq, since)) });
}

function safeDecode(path: string): string | null {
  try {
    return path.split('/').map((s) => decodeURIComponent(s)).join('/');
  } catch {
    return null;
  }
}


// Implicit scheduling (RFC 6638 §3): what a PUT or DELETE of a scheduling object resource does
// besides storing it. Planned from reads, then applied as ONE store transaction
// (SchedulingStore.applySchedulingWrite): the organizer's own write, every Sundial attendee's copy
// in their default calendar and the iTIP messages in their inboxes commit together. Mail to
// outsiders (iMIP) leaves after the commit (Scheduler.afterCommit).
//
// Roles are decided by the calendar's owner (the calendar user, RFC 6638 §3.1): the ORGANIZER
// being one of the owner's addresses makes the write an organizer's; an ATTENDEE being one makes
// it an attendee's; otherwise the object is stored without scheduling.
import { randomUUID } from 'node:crypto';
import type { Collection, ObjectInput, PutResult, SchedulingOp, StoredObject, User, WriteConditions } from '../store/types.js';
import {
  ItipError, applyReply, attendeeCopy, cancelledCopy, expandGroupAttendees, itipMessage, keepAttendeeAlarms, partstatsOf, replyMessage, schedulingInfo, withScheduleStatus,
  type SchedulingInfo,
} from '../ical/itip.js';
import { invitationBodies, type OutgoingImip } from './imip.js';
import type { Scheduler } from './scheduler.js';

/** RFC 6638 §3.2.9 / RFC 5546 §3.6 request-status codes written into SCHEDULE-STATUS. */
export const STATUS = {
  /** Delivered into a Sundial user's inbox and calendar. */
  delivered: '1.2',
  /** Handed to the SMTP server (iMIP): sent, delivery not known. */
  sent: '1.1',
  /** No SMTP server configured, or the SMTP server refused it: "could not complete delivery". */
  notDelivered: '5.1',
  /** An address that is neither a Sundial user nor reachable by mail (no mailto:). */
  invalidUser: '3.7',
  /** A Sundial user without a calendar that takes events. */
  noSchedulingSupport: '5.3',
} as const;

export interface ScheduledWrite {
  result: PutResult;
  /** The Schedule-Tag of the stored object (RFC 6638 §3.2.10). */
  scheduleTag: string | null;
  /** The body was changed by the server (SCHEDULE-STATUS added): no ETag in the answer (RFC 4791 §5.3.4). */
  rewritten: boolean;
}

interface Plan {
  ops: SchedulingOp[];
  mails: OutgoingImip[];
}

const newTag = () => `"${randomUUID()}"`;
const itipName = () => `${randomUUID()}.ics`;

function inputWith(input: ObjectInput, data: Buffer): ObjectInput {
  return { ...input, data };
}

/** Where a user keeps the object of this UID among their own calendars, if anywhere. */
async function findOwnCopy(s: Scheduler, user: User, uid: string): Promise<{ collectionId: number; object: StoredObject } | null> {
  for (const i of await s.store.listInstances(user.id)) {
    if (i.access !== 'owner') continue;
    const name = await s.store.findByUid(i.collection.id, uid);
    if (name === null) continue;
    const object = await s.store.getObject(i.collection.id, name);
    if (object) return { collectionId: i.collection.id, object };
  }
  return null;
}

/** The addresses an object names for its attendees, each once, minus the organizer's own. */
function attendeeAddresses(info: SchedulingInfo, own: ReadonlySet<string>): { address: string; agent: string }[] {
  const seen = new Map<string, string>();
  for (const c of info.components) for (const a of c.attendees) if (!own.has(a.address) && !seen.has(a.address)) seen.set(a.address, a.scheduleAgent);
  return [...seen].map(([address, agent]) => ({ address, agent }));
}

function mailTarget(address: string): string | null {
  return address.startsWith('mailto:') ? address.slice(7) : null;
}

/**
 * A PUT into `collection` (owned by `owner`): null when the object is no scheduling object of the
 * owner (stored as usual by the caller); else the write is applied here with its deliveries.
 * Throws ItipError for bad scheduling data (the caller answers the CALDAV precondition).
 */
export async function scheduledPut(
  s: Scheduler,
  owner: User,
  collection: Collection,
  input: ObjectInput,
  cond: WriteConditions,
  existing: StoredObject | null,
  origin: string,
): Promise<ScheduledWrite | null> {
  // Most PUTs name nobody: no second parse for them (the body was parsed once to validate it).
  if (!mentionsPeople(input.data) && !(existing && mentionsPeople(existing.data))) return null;
  let info = schedulingInfo(input.data);
  const oldInfo = existing ? safeInfo(existing.data) : null;
  if (!info) return null;
  const own = new Set(await s.directory.addressesOf(owner));
  const hasAttendees = info.components.some((c) => c.attendees.length > 0);
  if (info.organizer === null) {
    // RFC 6638 §3.2.4.1: attendees need an organizer to reply to.
    if (hasAttendees) throw new ItipError('valid-organizer', 'An object with ATTENDEEs must have an ORGANIZER (RFC 5546 §3.2.2)');
    // The organizer took the ORGANIZER away: the old attendees are cancelled, as sabre does.
    if (oldInfo?.organizer && own.has(oldInfo.organizer) && oldInfo.organizerAgent === 'SERVER') {
      return apply(s, await organizerPlan(s, owner, own, collection, input, cond, null, existing, oldInfo, origin), collection, input, newTag());
    }
    return null;
  }
  if (own.has(info.organizer)) {
    if (oldInfo?.organizer && oldInfo.organizer !== info.organizer && own.has(oldInfo.organizer) === false) {
      throw new ItipError('allowed-organizer-scheduling-object-change', 'The ORGANIZER of a scheduling object cannot be changed');
    }
    // RFC 6638 §7.1: SCHEDULE-AGENT=CLIENT on the ORGANIZER: the client schedules itself.
    if (info.organizerAgent !== 'SERVER') return null;
    const sent = input.data;
    const expanded = await withGroupMembers(s, input.data, info, own);
    if (expanded) {
      input = { ...input, data: expanded.data };
      info = expanded.info;
    }
    const addresses = attendeeAddresses(info, own);
    if (addresses.length > s.limits.maxAttendees) {
      throw new ItipError('max-attendees-per-instance', `At most ${s.limits.maxAttendees} attendees per scheduling object (${addresses.length} given)`);
    }
    if (addresses.length === 0 && !(oldInfo && attendeeAddresses(oldInfo, own).length > 0)) return null;
    const plan = await organizerPlan(s, owner, own, collection, input, cond, info, existing, oldInfo, origin);
    return apply(s, plan, collection, input, newTag(), sent);
  }
  if (oldInfo?.organizer && own.has(oldInfo.organizer)) {
    throw new ItipError('allowed-organizer-scheduling-object-change', 'The ORGANIZER of a scheduling object cannot be changed');
  }
  const me = info.components.flatMap((c) => c.attendees).find((a) => own.has(a.address));
  if (!me) return null;
  const plan = await attendeePlan(s, owner, me.address, me.scheduleAgent, collection, input, cond, info, oldInfo, existing);
  if (!plan) return null;
  const tag = existing ? (await s.store.getScheduleTag(collection.id, input.name)) ?? newTag() : newTag();
  return apply(s, plan, collection, input, tag);
}

/** The object with the members of every invited group added as attendees (expandGroupAttendees), or null. */
async function withGroupMembers(s: Scheduler, data: Buffer, info: SchedulingInfo, own: ReadonlySet<string>): Promise<{ data: Buffer; info: SchedulingInfo } | null> {
  const groups = new Map<string, string[]>();
  for (const { address } of attendeeAddresses(info, own)) {
    const members = await s.directory.expandGroup(address);
    if (members) groups.set(address, members.filter((m) => !own.has(m)));
  }
  if (groups.size === 0) return null;
  const text = expandGroupAttendees(data.toString('utf8'), groups);
  if (text === null) return null;
  const expanded = Buffer.from(text);
  return { data: expanded, info: schedulingInfo(expanded)! };
}

/** Whether an object may be a scheduling object: ORGANIZER or ATTENDEE appear in it (as clients write them, upper-case; RFC 5545 §3.1 names are case-insensitive, and a lower-case one merely goes unscheduled). */
function mentionsPeople(data: Buffer): boolean {
  return data.includes('ORGANIZER') || data.includes('ATTENDEE');
}

function safeInfo(data: Buffer): SchedulingInfo | null {
  try {
    return schedulingInfo(data);
  } catch {
    return null;
  }
}

async function apply(s: Scheduler, plan: Plan & { own?: Buffer; cond?: WriteConditions }, collection: Collection, input: ObjectInput, tag: string, sent: Buffer = input.data): Promise<ScheduledWrite> {
  const data = plan.own ?? input.data;
  const ops: SchedulingOp[] = [{ op: 'put', collectionId: collection.id, input: inputWith(input, data), ...(plan.cond ? { cond: plan.cond } : {}), scheduleTag: tag }, ...plan.ops];
  const results = await s.store.applySchedulingWrite(ops);
  const result = results[0]!;
  s.afterCommit(plan.mails, (failed) => recordFailures(s, collection.id, input.name, result.meta.etag, failed));
  return { result, scheduleTag: tag, rewritten: !data.equals(sent) };
}

/** After a failed send: SCHEDULE-STATUS 5.1 on those attendees, if the organizer's object did not change since. */
async function recordFailures(s: Scheduler, collectionId: number, name: string, etag: string, failed: OutgoingImip[]): Promise<void> {
  const obj = await s.store.getObject(collectionId, name);
  if (!obj || obj.etag !== etag) return;
  const statuses = new Map(failed.map((m) => [m.address, STATUS.notDelivered] as const));
  const text = withScheduleStatus(obj.data.toString('utf8'), statuses);
  await s.store.applySchedulingWrite([{ op: 'put', collectionId, input: { name, data: Buffer.from(text), contentType: obj.contentType, uid: obj.uid, componentType: obj.componentType, firstStart: obj.firstStart, lastEnd: obj.lastEnd }, cond: { ifMatch: [etag] } }]);
}

async function organizerPlan(
  s: Scheduler, owner: User, own: ReadonlySet<string>, collection: Collection, input: ObjectInput, cond: WriteConditions,
  info: SchedulingInfo | null, existing: StoredObject | null, oldInfo: SchedulingInfo | null, origin: string,
): Promise<Plan & { own: Buffer; cond: WriteConditions }> {
  const text = input.data.toString('utf8');
  const ops: SchedulingOp[] = [];
  const mails: OutgoingImip[] = [];
  const statuses = new Map<string, string>();
  const now = new Set((info ? attendeeAddresses(info, own) : []).map((a) => a.address));
  const organizerName = owner.displayName || owner.username;
  const uid = info?.uid ?? oldInfo!.uid;
  // Attendees to (re)invite: every SERVER-scheduled one in the new object.
  for (const { address, agent } of info ? attendeeAddresses(info, own) : []) {
    if (agent !== 'SERVER') continue; // RFC 6638 §7.1: CLIENT/NONE: nothing sent, no status set
    // A group is invited through its members (withGroupMembers); its own entry gets no message.
    if ((await s.directory.expandGroup(address)) !== null) continue;
    // Other requests run between attendees: each copy parses the object once.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const copy = attendeeCopy(text, address);
    if (!copy) continue;
    const user = await s.directory.userByAddress(address);
    if (user && user.id === owner.id) continue;
    if (user) {
      statuses.set(address, await deliverCopy(s, user, uid, copy, 'REQUEST', ops));
      continue;
    }
    statuses.set(address, await mailOut(s, owner, address, 'REQUEST', copy, uid, organizerName, origin, mails));
  }
  // Attendees no longer invited: CANCEL (RFC 5546 §3.2.5; RFC 6638 §3.2.1.2).
  if (oldInfo && existing) {
    const oldText = existing.data.toString('utf8');
    for (const { address, agent } of attendeeAddresses(oldInfo, own)) {
      if (now.has(address) || agent !== 'SERVER') continue;
      const copy = attendeeCopy(oldText, address);
      if (!copy) continue;
      const user = await s.directory.userByAddress(address);
      if (user && user.id === owner.id) continue;
      if (user) await deliverCopy(s, user, uid, copy, 'CANCEL', ops);
      else await mailOut(s, owner, address, 'CANCEL', copy, uid, organizerName, origin, mails);
    }
  }
  const ownText = info ? withScheduleStatus(text, statuses) : text;
  return { ops, mails, own: Buffer.from(ownText), cond };
}

/** A REQUEST or CANCEL for a Sundial attendee: their copy written, the message in their inbox. */
async function deliverCopy(s: Scheduler, user: User, uid: string, copy: string, method: 'REQUEST' | 'CANCEL', ops: SchedulingOp[]): Promise<string> {
  const found = await findOwnCopy(s, user, uid);
  let target: { collectionId: number; name: string; etag: string | null };
  if (found) target = { collectionId: found.collectionId, name: found.object.name, etag: found.object.etag };
  else {
    if (method === 'CANCEL') {
      ops.push({ op: 'deliver', userId: user.id, message: { name: itipName(), method, uid, data: Buffer.from(itipMessage(copy, 'CANCEL')) } });
      return STATUS.delivered;
    }
    const cal = await s.defaultCalendar(user);
    if (!cal) return STATUS.noSchedulingSupport;
    target = { collectionId: cal.id, name: await freeName(s, cal.id, uid), etag: null };
  }
  const data = method === 'CANCEL' ? cancelledCopy(found!.object.data.toString('utf8')) : found ? keepAttendeeAlarms(copy, found.object.data.toString('utf8')) : copy;
  const validated = s.copyInput(target.name, Buffer.from(data));
  ops.push({ op: 'put', collectionId: target.collectionId, input: validated, cond: target.etag ? { ifMatch: [target.etag] } : { ifNoneMatch: ['*'] }, scheduleTag: newTag() });
  ops.push({ op: 'deliver', userId: user.id, message: { name: itipName(), method, uid, data: Buffer.from(itipMessage(copy, method)) } });
  return STATUS.delivered;
}

/** A name for a new copy: the UID when it makes a safe segment, else a random one. */
async function freeName(s: Scheduler, collectionId: number, uid: string): Promise<string> {
  const base = /^[A-Za-z0-9@._-]{1,200}$/.test(uid) ? `${uid}.ics` : `${randomUUID()}.ics`;
  return (await s.store.getObjectMeta(collectionId, base)) ? `${randomUUID()}.ics` : base;
}

async function mailOut(
  s: Scheduler, organizer: User, address: string, method: 'REQUEST' | 'CANCEL', copy: string, uid: string, organizerName: string, origin: string, mails: OutgoingImip[],
): Promise<string> {
  const to = mailTarget(address);
  if (!to) return STATUS.invalidUser;
  if (!s.mailer.enabled || !(await s.allowMail(organizer.id))) return STATUS.notDelivered;
  const info = schedulingInfo(copy)!;
  const first = info.components[0]!;
  let links: { accept: string; decline: string } | undefined;
  if (method === 'REQUEST') {
    const token = await s.tokens.sign({ organizerId: organizer.id, uid, attendee: address });
    const base = `${origin}/schedule/reply?token=${encodeURIComponent(token)}`;
    links = { accept: `${base}&answer=accept`, decline: `${base}&answer=decline` };
  }
  const bodies = invitationBodies({ method, summary: first.summary, start: first.start, organizer: organizerName, links });
  mails.push({ to, address, method, ...bodies, ics: itipMessage(copy, method), fromName: organizerName });
  return STATUS.sent;
}

async function attendeePlan(
  s: Scheduler, owner: User, me: string, agent: string, collection: Collection, input: ObjectInput, cond: WriteConditions,
  info: SchedulingInfo, oldInfo: SchedulingInfo | null, existing: StoredObject | null,
): Promise<(Plan & { cond: WriteConditions }) | null> {
  // RFC 6638 §3.2.2.1: an attendee changes their own participation, not the event.
  if (oldInfo) {
    for (const c of info.components) {
      const before = oldInfo.components.find((o) => o.recurrenceId === c.recurrenceId);
      if (before && before.fingerprint !== c.fingerprint) {
        throw new ItipError('allowed-attendee-scheduling-object-change', 'An attendee may change only their own participation (PARTSTAT), alarms and transparency');
      }
    }
  }
  if (agent !== 'SERVER') return { ops: [], mails: [], cond };
  const before = oldInfo ? partstatsOf(oldInfo, me) : new Map<string | null, string>();
  const after = partstatsOf(info, me);
  const changed: { recurrenceId: string | null; partstat: string }[] = [];
  for (const [rid, p] of after) {
    const was = before.get(rid) ?? (rid !== null ? before.get(null) : undefined) ?? 'NEEDS-ACTION';
    if (p !== was) changed.push({ recurrenceId: rid, partstat: p });
  }
  if (changed.length === 0 || info.components.every((c) => c.cancelled)) return { ops: [], mails: [], cond };
  const ops: SchedulingOp[] = [];
  const mails: OutgoingImip[] = [];
  const text = input.data.toString('utf8');
  const reply = replyMessage(text, me, changed.map((c) => c.recurrenceId));
  await sendReply(s, owner, me, info.organizer!, info.uid, changed, reply, ops, mails);
  void collection;
  void existing;
  return { ops, mails, cond };
}

/** A REPLY to the organizer: merged into their copy and put in their inbox, or mailed. */
async function sendReply(
  s: Scheduler, owner: User, me: string, organizerAddress: string, uid: string,
  changed: { recurrenceId: string | null; partstat: string }[], reply: string, ops: SchedulingOp[], mails: OutgoingImip[],
): Promise<void> {
  const organizer = await s.directory.userByAddress(organizerAddress);
  if (organizer) {
    const found = await findOwnCopy(s, organizer, uid);
    if (!found) return;
    const merged = applyReply(found.object.data.toString('utf8'), me, changed);
    if (merged) {
      // The organizer's Schedule-Tag stays (RFC 6638 §3.2.10: a reply changing only PARTSTAT).
      ops.push({ op: 'put', collectionId: found.collectionId, input: s.copyInput(found.object.name, Buffer.from(merged)), cond: { ifMatch: [found.object.etag] } });
    }
    ops.push({ op: 'deliver', userId: organizer.id, message: { name: itipName(), method: 'REPLY', uid, data: Buffer.from(reply) } });
    return;
  }
  const to = mailTarget(organizerAddress);
  if (!to || !s.mailer.enabled || !(await s.allowMail(owner.id))) return;
  const name = owner.displayName || owner.username;
  const answer = changed[0]?.partstat ?? 'NEEDS-ACTION';
  const text = `${name} answered ${answer} to your invitation.\n`;
  mails.push({ to, address: organizerAddress, method: 'REPLY', subject: `${answer}: ${name}`, text, html: `<p>${text}</p>`, ics: reply, fromName: name });
}

/**
 * A DELETE of a scheduling object by its owner (RFC 6638 §3.2.1.2, §3.2.2.3): the organizer's
 * deletion cancels every attendee; an attendee's declines. Returns false when the object is no
 * scheduling object of the owner (the caller deletes it as usual).
 */
export async function scheduledDelete(s: Scheduler, owner: User, collection: Collection, object: StoredObject, cond: WriteConditions, origin: string): Promise<boolean> {
  const info = safeInfo(object.data);
  if (!info || info.organizer === null) return false;
  const own = new Set(await s.directory.addressesOf(owner));
  const ops: SchedulingOp[] = [];
  const mails: OutgoingImip[] = [];
  const text = object.data.toString('utf8');
  if (own.has(info.organizer)) {
    if (info.organizerAgent !== 'SERVER') return false;
    const name = owner.displayName || owner.username;
    for (const { address, agent } of attendeeAddresses(info, own)) {
      if (agent !== 'SERVER') continue;
      const copy = attendeeCopy(text, address);
      if (!copy) continue;
      const user = await s.directory.userByAddress(address);
      if (user && user.id === owner.id) continue;
      if (user) await deliverCopy(s, user, info.uid, copy, 'CANCEL', ops);
      else await mailOut(s, owner, address, 'CANCEL', copy, info.uid, name, origin, mails);
    }
  } else {
    const me = info.components.flatMap((c) => c.attendees).find((a) => own.has(a.address));
    if (!me) return false;
    if (me.scheduleAgent === 'SERVER' && !info.components.every((c) => c.cancelled)) {
      const mine = partstatsOf(info, me.address);
      const declines = [...mine].filter(([, p]) => p !== 'DECLINED').map(([rid]) => ({ recurrenceId: rid, partstat: 'DECLINED' }));
      if (declines.length > 0) {
        const reply = replyMessage(text, me.address, declines.map((d) => d.recurrenceId), 'DECLINED');
        await sendReply(s, owner, me.address, info.organizer, info.uid, declines, reply, ops, mails);
      }
    }
  }
  await s.store.applySchedulingWrite([{ op: 'delete', collectionId: collection.id, name: object.name, cond }, ...ops]);
  s.afterCommit(mails, async () => {});
  return true;
}

export type OutsiderReplyResult =
  | { ok: true; summary: string }
  | { ok: false; reason: 'gone' | 'not-attendee' };

/** What the reply page shows before the outsider answers: the event, if it is still there and they still attend. */
export async function outsiderInvitation(s: Scheduler, organizerId: number, uid: string, attendee: string): Promise<OutsiderReplyResult> {
  const organizer = await s.store.getUserById(organizerId);
  const found = organizer ? await findOwnCopy(s, organizer, uid) : null;
  const info = found ? safeInfo(found.object.data) : null;
  if (!info) return { ok: false, reason: 'gone' };
  if (!info.components.some((c) => c.attendees.some((a) => a.address === attendee))) return { ok: false, reason: 'not-attendee' };
  return { ok: true, summary: info.components[0]!.summary };
}

/**
 * An outsider's Accept/Decline from the signed link of an iMIP invitation (issue 15 item 5):
 * recorded as an iTIP REPLY (RFC 5546 §3.2.3) from that attendee for every instance they attend,
 * merged into the organizer's copy and put in the organizer's inbox, in one transaction. Someone
 * who is no longer an attendee (removed since the mail) is refused: a REPLY from a non-attendee.
 */
export async function recordOutsiderReply(s: Scheduler, organizerId: number, uid: string, attendee: string, partstat: 'ACCEPTED' | 'DECLINED'): Promise<OutsiderReplyResult> {
  const organizer = await s.store.getUserById(organizerId);
  const found = organizer ? await findOwnCopy(s, organizer, uid) : null;
  const info = found ? safeInfo(found.object.data) : null;
  if (!organizer || !found || !info) return { ok: false, reason: 'gone' };
  const mine = partstatsOf(info, attendee);
  if (mine.size === 0) return { ok: false, reason: 'not-attendee' };
  const replies = [...mine.keys()].map((recurrenceId) => ({ recurrenceId, partstat }));
  const text = found.object.data.toString('utf8');
  const reply = replyMessage(text, attendee, replies.map((r) => r.recurrenceId), partstat);
  const ops: SchedulingOp[] = [];
  const merged = applyReply(text, attendee, replies);
  if (merged) ops.push({ op: 'put', collectionId: found.collectionId, input: s.copyInput(found.object.name, Buffer.from(merged)), cond: { ifMatch: [found.object.etag] } });
  ops.push({ op: 'deliver', userId: organizer.id, message: { name: itipName(), method: 'REPLY', uid, data: Buffer.from(reply) } });
  await s.store.applySchedulingWrite(ops);
  return { ok: true, summary: info.components[0]!.summary };
}

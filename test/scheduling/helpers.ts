// Shared fixtures of the scheduling tests: a server with users that have e-mail addresses, and
// scheduling objects as iOS and Thunderbird write them.
import { createUserWithCalendar } from '../../src/bootstrap.js';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';

export async function schedulingServer(env: Record<string, string> = {}, users = ['alice', 'bob', 'carol']): Promise<TestServer> {
  const srv = await startTestServer(env);
  for (const u of users) await createUserWithCalendar(srv.store, { username: u, password: PASSWORD, email: `${u}@example.com` });
  return srv;
}

export interface InviteOpts {
  uid: string;
  organizer?: string | null;
  attendees?: string[];
  /** Address → PARTSTAT. */
  partstat?: Record<string, string>;
  summary?: string;
  start?: string;
  end?: string;
  sequence?: number;
  extra?: string[];
  /** Further components (overrides) as raw lines, each a whole VEVENT. */
  overrides?: string[];
}

export function attendeeLine(addr: string, partstat = 'NEEDS-ACTION', params = ''): string {
  return `ATTENDEE;CN=${addr.split('@')[0]};CUTYPE=INDIVIDUAL;PARTSTAT=${partstat};RSVP=TRUE${params}:mailto:${addr}`;
}

/** An event with ORGANIZER and ATTENDEEs, shaped like iOS writes it (organizer listed as ACCEPTED chair). */
export function invite(o: InviteOpts): string {
  const org = o.organizer === undefined ? 'alice@example.com' : o.organizer;
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 18.1//EN', 'CALSCALE:GREGORIAN', 'BEGIN:VEVENT',
    `UID:${o.uid}`, 'DTSTAMP:20240101T000000Z', `DTSTART:${o.start ?? '20300101T100000Z'}`, `DTEND:${o.end ?? '20300101T110000Z'}`,
    `SUMMARY:${o.summary ?? 'Planning'}`, `SEQUENCE:${o.sequence ?? 0}`];
  if (org) lines.push(`ORGANIZER;CN=${org.split('@')[0]}:mailto:${org}`, `ATTENDEE;CN=${org.split('@')[0]};CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:${org}`);
  for (const a of o.attendees ?? []) lines.push(attendeeLine(a, o.partstat?.[a] ?? 'NEEDS-ACTION'));
  lines.push(...(o.extra ?? []), 'END:VEVENT', ...(o.overrides ?? []), 'END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

export const cal = (user: string, name = '') => `/dav/calendars/${user}/personal/${name}`;
export const inbox = (user: string, name = '') => `/dav/calendars/${user}/inbox/${name}`;
export const outbox = (user: string) => `/dav/calendars/${user}/outbox/`;

/** The unfolded lines of an iCalendar text. */
export function unfold(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/).filter((l) => l !== '');
}

/** The ATTENDEE line of `addr` in the first component that has one (unfolded). */
export function attendeeOf(text: string, addr: string): string | undefined {
  return unfold(text).find((l) => l.startsWith('ATTENDEE') && l.toLowerCase().endsWith(`mailto:${addr}`));
}

export function paramOf(line: string | undefined, name: string): string | undefined {
  if (!line) return undefined;
  const m = new RegExp(`;${name}=("[^"]*"|[^;:]*)`, 'i').exec(line);
  return m ? m[1]!.replace(/^"|"$/g, '') : undefined;
}

/** The text with the PARTSTAT of `addr` set to `value` on every ATTENDEE line of it (lines unfolded; SCHEDULE-STATUS and RSVP dropped, as clients do). */
export function setPartstat(text: string, addr: string, value: string): string {
  return unfold(text).map((l) => {
    if (!l.startsWith('ATTENDEE') || !l.toLowerCase().endsWith(`mailto:${addr}`)) return l;
    const [head, ...rest] = splitValue(l);
    const params = head!.split(';').filter((p) => !/^(PARTSTAT|SCHEDULE-STATUS|RSVP)=/i.test(p));
    return `${params.join(';')};PARTSTAT=${value}:${rest.join(':')}`;
  }).join('\r\n') + '\r\n';
}

/** Splits a content line at the colon that ends its parameters (quoted values may hold colons). */
function splitValue(line: string): string[] {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) return [line.slice(0, i), line.slice(i + 1)];
  }
  return [line];
}

// Import of an .ics file into a calendar (SPEC "Running it": `sundial import`; the preferences
// page's upload): the file is split into calendar object resources by UID (RFC 4791 §4.1 — a
// recurring event's overrides stay with their master), each gets a copy of the VTIMEZONEs it
// references, is validated like a PUT, and is stored under a name derived from its UID, so that
// importing the same file again replaces instead of duplicating. Bad components are skipped and
// reported; the rest goes on.
import { createHash } from 'node:crypto';
import type { Collection, Store, WriteConditions } from '../store/types.js';
import { PreconditionFailed, UidConflict } from '../store/errors.js';
import type { TopComponent } from '../ical/merge.js';
import { parseContentLine } from '../ical/privacy.js';
import { CalendarDataError, validateCalendarObject } from '../ical/validate.js';
import type { ObjectLimits } from '../ical/limits.js';
import { SLICE_MS, slicer } from '../time-slice.js';

export interface SplitObject {
  uid: string;
  /** A VCALENDAR with the UID's components and the VTIMEZONEs they reference. */
  text: string;
  /** Number of components (master + overrides). */
  components: number;
}

export interface Skipped {
  /** What was skipped: "UID …" or "VEVENT #n". */
  item: string;
  reason: string;
}

export interface SplitResult {
  objects: SplitObject[];
  skipped: Skipped[];
}

/** The TZID parameter value of a parsed content line, if it has one. */
function tzidOf(params: readonly string[]): string | null {
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0 && param.slice(0, eq).toUpperCase() === 'TZID') return param.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return null;
}

/** How large one top-level component may grow while the file is split (see `components`). */
export interface SplitBounds {
  /** UTF-16 code units of its lines (the bytes of the object are checked again after the split). */
  maxChars: number;
  /** Properties (logical lines other than BEGIN and END) in it. */
  maxProperties: number;
  /** Components in it, itself included (BEGIN lines). */
  maxComponents: number;
}

/** No bound: what splitCalendar (tests, tools) uses. */
const UNBOUNDED: SplitBounds = { maxChars: Infinity, maxProperties: Infinity, maxComponents: Infinity };

/** A top-level component as the split keeps it; past the bounds its lines are dropped. */
interface SplitComponent extends TopComponent {
  chars: number;
  properties: number;
  components: number;
  /** Why it cannot become an object (past a bound); its lines are then empty. */
  refused?: string;
  buffer: Lines;
  /** Its own (not a nested VALARM's) UID, RECURRENCE-ID and SUMMARY: the first of each, unfolded. */
  own: Map<string, string>;
  /** The TZIDs its lines reference. */
  tzids: Set<string>;
}

/** The properties of a component the split reads. */
const OWN = new Set(['UID', 'RECURRENCE-ID', 'SUMMARY']);

/**
 * Lines to be joined with CRLF, kept in runs: every RUN lines become one string holding them
 * (which joins as its lines would), so that a component folded over millions of lines is a few
 * hundred strings for the collector and for the join that makes its object.
 */
class Lines {
  private static readonly RUN = 2048;
  private readonly parts: string[] = [];
  private run: string[] = [];
  push(line: string): void {
    this.run.push(line);
    if (this.run.length >= Lines.RUN) this.flush();
  }
  /** Its lines, some of them joined. */
  all(): string[] {
    this.flush();
    return this.parts;
  }
  private flush(): void {
    if (this.run.length > 0) this.parts.push(this.run.length === 1 ? this.run[0]! : this.run.join('\r\n'));
    this.run = [];
  }
}

interface LogicalLine {
  /** The first physical line and the continuations without their leading blank. */
  pieces: string[];
  raw: Lines;
  /** Characters of its physical lines with their line breaks. */
  chars: number;
}

/**
 * The top-level components of an iCalendar text, as ical/merge.ts topLevelComponents finds them,
 * read line by line (no split of the whole file) and pausing — a `yield` — every few thousand
 * lines so that an importing server can answer other requests in between. A component past
 * `bounds` keeps no lines: a 14 MB event of two million properties (or one property folded over
 * three million lines) was otherwise walked synchronously several times after the split (5.6 s
 * of the event loop) and its lines spread into a call, which overflowed the stack (a 500).
 */
function* components(text: string, bounds: SplitBounds, size: number): Generator<void, SplitComponent[]> {
  const out: SplitComponent[] = [];
  let depth = 0;
  let current: SplitComponent | null = null;
  // A logical line (RFC 5545 §3.1 unfolding) is handled once its last continuation is seen.
  let logical: LogicalLine | null = null;
  const handle = ({ pieces, raw, chars }: LogicalLine) => {
    const line = pieces.length === 1 ? pieces[0]! : pieces.join('');
    const upper6 = line.slice(0, 6).toUpperCase();
    if (upper6 === 'BEGIN:') {
      depth++;
      if (depth === 2) current = { type: line.slice(6).toUpperCase().trim(), lines: [], buffer: new Lines(), chars: 0, properties: 0, components: 0, own: new Map(), tzids: new Set() };
    }
    if (current) {
      current.chars += chars;
      if (upper6 === 'BEGIN:') current.components++;
      else if (!upper6.startsWith('END:')) current.properties++;
      if (current.refused === undefined) {
        // The reasons validateCalendarObject (ical/limits.ts) would give the object.
        if (current.chars > bounds.maxChars) current.refused = `larger than the maximum of ${size} bytes`;
        else if (current.properties > bounds.maxProperties) current.refused = `more than ${bounds.maxProperties} properties in one calendar object (server limit)`;
        else if (current.components > bounds.maxComponents) current.refused = `more than ${bounds.maxComponents} components in one calendar object (server limit)`;
        if (current.refused !== undefined) current.buffer = new Lines();
      }
      // What the split needs of each line is read here, once (each walk of a component's lines
      // after the split cost seconds on one folded over millions of lines).
      const p = parseContentLine(line);
      if (p && depth === 2 && OWN.has(p.name) && !current.own.has(p.name)) current.own.set(p.name, p.value);
      if (current.refused === undefined) {
        for (const r of raw.all()) current.buffer.push(r);
        if (depth === 2 && current.type === 'VTIMEZONE' && /^TZID[;:]/i.test(line)) current.tzid = line.slice(line.indexOf(':') + 1);
        const tzid = p && tzidOf(p.params);
        if (tzid !== null && tzid !== undefined) current.tzids.add(tzid);
      }
    }
    if (upper6.startsWith('END:')) {
      if (depth === 2 && current) {
        current.lines = current.buffer.all();
        out.push(current);
        current = null;
      }
      depth = Math.max(0, depth - 1);
    }
  };
  let pos = 0;
  let count = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    pos = nl + 1;
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && logical) {
      logical.chars += line.length + 2;
      // A line folded past every bound is not assembled: only its length counts.
      if (logical.chars <= bounds.maxChars) {
        logical.pieces.push(line.slice(1));
        logical.raw.push(line);
      }
    } else {
      if (logical) handle(logical);
      const raw = new Lines();
      raw.push(line);
      logical = { pieces: [line], raw, chars: line.length + 2 };
    }
    if (++count % 2000 === 0) yield;
  }
  if (logical) handle(logical);
  // A file cut short (a truncated download or copy) leaves its last component open: reported as
  // skipped with the reason, as a card without END:VCARD is, rather than silently left out.
  const open = current as SplitComponent | null;
  if (open) {
    open.refused ??= `no END:${open.type} before the end of the file`;
    open.lines = [];
    out.push(open);
  }
  return out;
}

/** Splits an iCalendar file (one or several VCALENDARs) into one object per UID. */
export function splitCalendar(text: string): SplitResult {
  const steps = splitSteps(text, UNBOUNDED, Infinity);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** splitCalendar as a sequence of short steps; each `yield` is a point where the caller may pause. */
function* splitSteps(text: string, bounds: SplitBounds, size: number): Generator<void, SplitResult> {
  const skipped: Skipped[] = [];
  const zones = new Map<string, TopComponent>();
  const groups = new Map<string, { comps: SplitComponent[]; keys: Map<string, number> }>();
  const counters = new Map<string, number>();
  // UIDs with a component past the bounds: the whole UID is skipped, as an object too large would be.
  const refused = new Map<string, string>();
  let step = 0;
  for (const comp of yield* components(text.replace(/^\uFEFF/, ''), bounds, size)) {
    if (++step % 200 === 0) yield;
    const n = (counters.get(comp.type) ?? 0) + 1;
    counters.set(comp.type, n);
    const uid = comp.own.get('UID')?.trim();
    if (comp.refused !== undefined) {
      if (uid) refused.set(uid, comp.refused);
      else skipped.push({ item: `${comp.type} #${n}`, reason: comp.refused });
      continue;
    }
    if (comp.type === 'VTIMEZONE') {
      if (comp.tzid && !zones.has(comp.tzid)) zones.set(comp.tzid, comp);
      continue;
    }
    if (!uid) {
      const summary = comp.own.get('SUMMARY');
      skipped.push({ item: `${comp.type} #${n}${summary ? ` ("${summary.slice(0, 60)}")` : ''}`, reason: 'no UID' });
      continue;
    }
    let group = groups.get(uid);
    if (!group) groups.set(uid, (group = { comps: [], keys: new Map() }));
    // The same instance twice (concatenated exports): the later copy wins.
    const key = `${comp.type}/${comp.own.get('RECURRENCE-ID')?.trim() ?? ''}`;
    const at = group.keys.get(key);
    if (at !== undefined) {
      group.comps[at] = comp;
      skipped.push({ item: `UID ${uid}`, reason: `duplicate ${comp.type}${key.endsWith('/') ? '' : ' override'}; the later copy was kept` });
    } else {
      group.keys.set(key, group.comps.length);
      group.comps.push(comp);
    }
  }
  const objects: SplitObject[] = [];
  for (const [uid, reason] of refused) {
    groups.delete(uid);
    skipped.push({ item: `UID ${uid}`, reason });
  }
  for (const [uid, { comps }] of groups) {
    if (++step % 200 === 0) yield;
    const tzids = new Set<string>();
    for (const c of comps) for (const z of c.tzids) tzids.add(z);
    const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Import//EN'];
    for (const tzid of tzids) {
      const zone = zones.get(tzid);
      // Loops, not push(...lines): a component may have millions of lines (folded), past the
      // number of arguments a call can take.
      if (zone) for (const l of zone.lines) lines.push(l);
    }
    for (const c of comps) for (const l of c.lines) lines.push(l);
    lines.push('END:VCALENDAR');
    objects.push({ uid, text: lines.join('\r\n') + '\r\n', components: comps.length });
  }
  return { objects, skipped };
}

/**
 * The resource name of an imported UID: the UID itself when it is a safe URL segment, else its
 * safe characters plus a short hash of the whole UID (so "a/b" and "a_b" stay apart); `ext`
 * is '.vcf' for cards (vcard-files/import.ts).
 */
export function objectName(uid: string, ext = '.ics'): string {
  const safe = uid.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  const hash = createHash('sha256').update(uid).digest('hex').slice(0, 12);
  return safe === uid && safe.length > 0 ? `${safe}${ext}` : `${safe || 'event'}-${hash}${ext}`;
}

export interface ImportSummary {
  /** Objects (UIDs) found in the file. */
  total: number;
  imported: number;
  replaced: number;
  /** Already stored with exactly these bytes: not written again, so devices need not re-sync them. */
  unchanged: number;
  skipped: Skipped[];
  /** Entries in the calendar after the import. */
  entries: number;
}

export interface ImportOptions {
  /** Largest object accepted (the server's max-resource-size). */
  maxResourceSize: number;
  /** What one object may contain: the configured limits (objectLimitsOf(config)), as at PUT. */
  limits: ObjectLimits;
  /** Called after each object with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * The importer reaches the calendar through a share: entries it may not see in full (private,
   * confidential; services/visibility.ts) are never replaced, as over DAV.
   */
  sharee?: boolean;
  /** Longest stretch of work, in ms, before other callbacks get their turn (default SLICE_MS). */
  sliceMs?: number;
}

/** Imports `text` into `collection`; never throws for bad content, only for storage failures. */
export async function importCalendar(store: Store, collection: Collection, text: string, opts: ImportOptions): Promise<ImportSummary> {
  // Splitting, validation and the (synchronous underneath) store are CPU work: a 20,000-event
  // file held the event loop for 11 s (issue 11 item 4). The work runs in slices of at most
  // ~SLICE_MS, and between slices the process answers other requests (/healthz, DAV clients).
  const pause = slicer(opts.sliceMs ?? SLICE_MS);
  // A component is bounded by the limits of the object it becomes (checked again on the whole
  // object by validateCalendarObject): its characters by the largest object (a character is at
  // least one UTF-8 byte), its properties and components by the object limits.
  const bounds = { maxChars: opts.maxResourceSize, maxProperties: opts.limits.maxProperties, maxComponents: opts.limits.maxComponents };
  const steps = splitSteps(text, bounds, opts.maxResourceSize);
  let split: IteratorResult<void, SplitResult>;
  while (!(split = steps.next()).done) await pause();
  const { objects, skipped } = split.value;
  if (objects.length === 0 && skipped.length === 0 && !/BEGIN:VCALENDAR/i.test(text)) {
    skipped.push({ item: 'file', reason: 'not an iCalendar file (no BEGIN:VCALENDAR)' });
  }
  const summary: ImportSummary = { total: objects.length, imported: 0, replaced: 0, unchanged: 0, skipped, entries: 0 };
  let done = 0;
  for (const obj of objects) {
    await pause();
    try {
      const data = Buffer.from(obj.text, 'utf8');
      if (data.length > opts.maxResourceSize) {
        skipped.push({ item: `UID ${obj.uid}`, reason: `larger than the maximum of ${opts.maxResourceSize} bytes` });
        continue;
      }
      let info;
      try {
        info = validateCalendarObject(data, { allowedComponents: collection.components, exactInstance: true, limits: opts.limits });
      } catch (err) {
        if (!(err instanceof CalendarDataError)) throw err;
        skipped.push({ item: `UID ${obj.uid}`, reason: err.message });
        continue;
      }
      // Where the UID already lives (a device may have created it under any name), else a name
      // from the UID — unless a different UID sits there.
      let name = await store.findByUid(collection.id, info.uid);
      // What the write may replace: for a sharee, exactly the public version read here (the owner
      // may make it private or confidential meanwhile, and the sharee's import must not then
      // replace it); a new name must still be free.
      let cond: WriteConditions | undefined;
      if (name === null) {
        name = objectName(info.uid);
        const there = await store.getObjectMeta(collection.id, name);
        if (there && there.uid !== info.uid) name = objectName(`${info.uid}\u0000`);
        if (opts.sharee) cond = { ifNoneMatch: ['*'] };
      } else {
        const current = await store.getObject(collection.id, name);
        if (opts.sharee && current && current.classification !== 'public') {
          skipped.push({ item: `UID ${obj.uid}`, reason: 'another entry with this UID cannot be replaced from a shared calendar' });
          continue;
        }
        if (current && current.data.equals(data)) {
          summary.unchanged++;
          continue;
        }
        if (opts.sharee) cond = current ? { ifMatch: [current.etag] } : { ifNoneMatch: ['*'] };
      }
      const { created } = await store.putObject(collection.id, {
        name,
        data,
        contentType: `text/calendar; charset=utf-8; component=${info.componentType.toLowerCase()}`,
        uid: info.uid,
        componentType: info.componentType,
        firstStart: info.firstStart,
        lastEnd: info.lastEnd,
        // The exact-instance columns, as a PUT stores them: calendar-query decides plain
        // time-ranges on these events from columns (dav/query/match.ts).
        instanceStart: info.instanceStart ?? null,
        instanceEnd: info.instanceEnd ?? null,
      }, cond);
      if (created) summary.imported++;
      else summary.replaced++;
    } catch (err) {
      if (err instanceof PreconditionFailed) {
        skipped.push({ item: `UID ${obj.uid}`, reason: 'the entry was changed by someone else meanwhile' });
        continue;
      }
      if (!(err instanceof UidConflict)) throw err;
      skipped.push({ item: `UID ${obj.uid}`, reason: 'another entry with this UID was written at the same time' });
    } finally {
      opts.onProgress?.(++done, objects.length);
    }
  }
  summary.entries = (await store.getCollection(collection.id))?.objectCount ?? 0;
  return summary;
}

/** One line per fact, for the CLI and logs. */
export function describeImport(s: ImportSummary): string[] {
  const lines = [`${s.imported} imported, ${s.replaced} replaced, ${s.unchanged} unchanged, ${s.skipped.length} skipped`];
  for (const k of s.skipped) lines.push(`  skipped ${k.item}: ${k.reason}`);
  return lines;
}

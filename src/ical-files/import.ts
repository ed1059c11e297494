// Import of an .ics file into a calendar (SPEC "Running it": `sundial import`; the preferences
// page's upload): the file is split into calendar object resources by UID (RFC 4791 §4.1 — a
// recurring event's overrides stay with their master), each gets a copy of the VTIMEZONEs it
// references, is validated like a PUT, and is stored under a name derived from its UID, so that
// importing the same file again replaces instead of duplicating. Bad components are skipped and
// reported; the rest goes on.
import { createHash } from 'node:crypto';
import type { Collection, Store } from '../store/types.js';
import { UidConflict } from '../store/errors.js';
import { logicalLines, topLevelComponents, type TopComponent } from '../ical/merge.js';
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

/** Value of the component's own (depth 1) property, unfolded; nested VALARMs are not looked at. */
function ownProperty(comp: TopComponent, name: string): string | null {
  let depth = 0;
  for (const { text } of logicalLines(comp.lines)) {
    if (/^BEGIN:/i.test(text)) depth++;
    else if (/^END:/i.test(text)) depth--;
    else if (depth === 1) {
      const p = parseContentLine(text);
      if (p?.name === name) return p.value;
    }
  }
  return null;
}

function referencedZones(comp: TopComponent): Set<string> {
  const out = new Set<string>();
  for (const { text } of logicalLines(comp.lines)) {
    const p = parseContentLine(text);
    for (const param of p?.params ?? []) {
      const eq = param.indexOf('=');
      if (eq > 0 && param.slice(0, eq).toUpperCase() === 'TZID') out.add(param.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
    }
  }
  return out;
}

/**
 * The top-level components of an iCalendar text, as ical/merge.ts topLevelComponents finds them,
 * read line by line (no split of the whole file) and pausing — a `yield` — every few thousand
 * lines so that an importing server can answer other requests in between.
 */
function* components(text: string): Generator<void, TopComponent[]> {
  const out: TopComponent[] = [];
  let depth = 0;
  let current: TopComponent | null = null;
  // A logical line (RFC 5545 §3.1 unfolding) is handled once its last continuation is seen.
  let logical: { text: string; raw: string[] } | null = null;
  const handle = ({ text: line, raw }: { text: string; raw: string[] }) => {
    const upper6 = line.slice(0, 6).toUpperCase();
    if (upper6 === 'BEGIN:') {
      depth++;
      if (depth === 2) current = { type: line.slice(6).toUpperCase().trim(), lines: [] };
    }
    if (current) {
      current.lines.push(...raw);
      if (depth === 2 && current.type === 'VTIMEZONE' && /^TZID[;:]/i.test(line)) current.tzid = line.slice(line.indexOf(':') + 1);
    }
    if (upper6.startsWith('END:')) {
      if (depth === 2 && current) {
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
      logical.text += line.slice(1);
      logical.raw.push(line);
    } else {
      if (logical) handle(logical);
      logical = { text: line, raw: [line] };
    }
    if (++count % 2000 === 0) yield;
  }
  if (logical) handle(logical);
  return out;
}

/** Splits an iCalendar file (one or several VCALENDARs) into one object per UID. */
export function splitCalendar(text: string): SplitResult {
  const steps = splitSteps(text);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** splitCalendar as a sequence of short steps; each `yield` is a point where the caller may pause. */
function* splitSteps(text: string): Generator<void, SplitResult> {
  const skipped: Skipped[] = [];
  const zones = new Map<string, TopComponent>();
  const groups = new Map<string, { comps: TopComponent[]; keys: Map<string, number> }>();
  const counters = new Map<string, number>();
  let step = 0;
  for (const comp of yield* components(text.replace(/^\uFEFF/, ''))) {
    if (++step % 200 === 0) yield;
    const n = (counters.get(comp.type) ?? 0) + 1;
    counters.set(comp.type, n);
    if (comp.type === 'VTIMEZONE') {
      if (comp.tzid && !zones.has(comp.tzid)) zones.set(comp.tzid, comp);
      continue;
    }
    const uid = ownProperty(comp, 'UID')?.trim();
    if (!uid) {
      const summary = ownProperty(comp, 'SUMMARY');
      skipped.push({ item: `${comp.type} #${n}${summary ? ` ("${summary.slice(0, 60)}")` : ''}`, reason: 'no UID' });
      continue;
    }
    let group = groups.get(uid);
    if (!group) groups.set(uid, (group = { comps: [], keys: new Map() }));
    // The same instance twice (concatenated exports): the later copy wins.
    const key = `${comp.type}/${ownProperty(comp, 'RECURRENCE-ID')?.trim() ?? ''}`;
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
  for (const [uid, { comps }] of groups) {
    if (++step % 200 === 0) yield;
    const tzids = new Set<string>();
    for (const c of comps) for (const z of referencedZones(c)) tzids.add(z);
    const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial//Import//EN'];
    for (const tzid of tzids) {
      const zone = zones.get(tzid);
      if (zone) lines.push(...zone.lines);
    }
    for (const c of comps) lines.push(...c.lines);
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
  const steps = splitSteps(text);
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
      if (name === null) {
        name = objectName(info.uid);
        const there = await store.getObjectMeta(collection.id, name);
        if (there && there.uid !== info.uid) name = objectName(`${info.uid}\u0000`);
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
      });
      if (created) summary.imported++;
      else summary.replaced++;
    } catch (err) {
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

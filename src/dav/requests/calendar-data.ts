// The CALDAV:calendar-data request element (RFC 4791 §9.6): comp/prop selection, expand,
// limit-recurrence-set and limit-freebusy-set, read into ical/calendar-data.ts's CalendarDataRequest.
import { CALDAV, DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { isWholeObject, type CalendarDataRequest, type CompSelection } from '../../ical/calendar-data.js';
import { DavError, supportedCalendarData } from '../errors.js';
import { parseTimeRange } from './time-range.js';

function parseSelection(el: XmlElement, depth: number): CompSelection {
  if (depth > 8) throw badCalendarData('comp elements nested too deeply');
  const name = (el.attrs.name ?? '').trim();
  if (!name) throw badCalendarData('comp needs a name attribute');
  const sel: CompSelection = { name: name.toUpperCase(), allProps: false, props: [], allComps: false, comps: [] };
  for (const c of el.children) {
    if (c.name === CALDAV.allprop) sel.allProps = true;
    else if (c.name === CALDAV.allcomp) sel.allComps = true;
    else if (c.name === CALDAV.prop) {
      const pname = (c.attrs.name ?? '').trim();
      if (!pname) throw badCalendarData('prop needs a name attribute');
      sel.props.push({ name: pname.toUpperCase(), novalue: (c.attrs.novalue ?? 'no').trim().toLowerCase() === 'yes' });
    } else if (c.name === CALDAV.comp) sel.comps.push(parseSelection(c, depth + 1));
    else throw badCalendarData(`${c.local} is not allowed in comp`);
  }
  return sel;
}

function badCalendarData(why: string): DavError {
  return new DavError(400, null, `calendar-data: ${why}`);
}

/** The CALDAV:calendar-data element inside the report's DAV:prop, if any. */
export function calendarDataElement(root: XmlElement): XmlElement | undefined {
  for (const prop of root.children) {
    if (prop.name !== DAV.prop) continue;
    const el = prop.children.find((c) => c.name === CALDAV.calendarData);
    if (el) return el;
  }
  return undefined;
}

/** Reads a calendar-data request element (§9.6); null for a plain <C:calendar-data/>. */
export function parseCalendarDataRequest(el: XmlElement | undefined): CalendarDataRequest | null {
  if (!el) return null;
  const type = (el.attrs['content-type'] ?? 'text/calendar').trim().toLowerCase();
  const version = (el.attrs.version ?? '2.0').trim();
  if (type !== 'text/calendar' || version !== '2.0') throw supportedCalendarData(`calendar-data ${type} version ${version} is not supported; use text/calendar 2.0`);
  const req: CalendarDataRequest = { select: null, expand: null, limitRecurrence: null, limitFreebusy: null };
  for (const c of el.children) {
    if (c.name === CALDAV.comp && !req.select) {
      req.select = parseSelection(c, 0);
      if (req.select.name !== 'VCALENDAR') throw badCalendarData('the outer comp must be VCALENDAR');
    } else if (c.name === CALDAV.expand && !req.expand && !req.limitRecurrence) req.expand = parseTimeRange(c, { requireBoth: true });
    else if (c.name === CALDAV.limitRecurrenceSet && !req.expand && !req.limitRecurrence) req.limitRecurrence = parseTimeRange(c, { requireBoth: true });
    else if (c.name === CALDAV.limitFreebusySet && !req.limitFreebusy) req.limitFreebusy = parseTimeRange(c, { requireBoth: true });
    else throw badCalendarData(`unexpected ${c.local}`);
  }
  return isWholeObject(req) ? null : req;
}

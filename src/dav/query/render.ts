// calendar-data rendered for a response (RFC 4791 §9.6): the object transformed by a
// calendar-data request (selection, expand, limits), as the encoded <cal:calendar-data> element.
// The recurrence walk runs in slices between which other requests run (ical/work-budget.ts).
// Nothing here is cached: the query engine (engine.ts) keeps what is worth keeping.
import { CALDAV } from '../../xml/names.js';
import { propertyBytes } from '../../xml/serialize.js';
import type { StoredObject } from '../../store/types.js';
import { renderCalendarDataSliced, type CalendarDataRequest } from '../../ical/calendar-data.js';
import { QueryError } from '../../ical/query-errors.js';
import type { QueryOptions } from '../../ical/query-object.js';
import { toQueryDavError } from './errors.js';

/** calendar-data of `obj` under `dataReq`, rendered now; max-instances becomes 403, an unreadable object is returned as stored. */
export async function renderCalendarDataElement(obj: StoredObject, dataReq: CalendarDataRequest, opts: QueryOptions): Promise<Buffer> {
  await opts.budget?.maybePause();
  let text: string;
  try {
    text = await renderCalendarDataSliced(obj.data, dataReq, opts);
  } catch (err) {
    if (err instanceof QueryError) throw toQueryDavError(err);
    text = obj.data.toString('utf8');
  }
  return propertyBytes(CALDAV.calendarData, text);
}

/** The render key of calendar-data as stored (no transformation); queryKey's keys are numbers. */
export const WHOLE_DATA_KEY = 'stored';

/** calendar-data of `obj` as stored (RFC 4791 §9.6 without a transformation), as the encoded element. */
export function storedDataElement(obj: StoredObject): Buffer {
  return propertyBytes(CALDAV.calendarData, obj.data.toString('utf8'));
}

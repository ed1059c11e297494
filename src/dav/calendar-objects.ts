// Turning a body into what the store keeps for a calendar object resource (RFC 4791 §4.1,
// §5.3.2): validated once, on write, so reads never parse iCalendar again (the UID, component
// type and first/last occurrence go into columns).
import type { Collection, ObjectInput } from '../store/types.js';
import { DEFAULT_OBJECT_LIMITS, type ObjectLimits } from '../ical/limits.js';
import { validateCalendarObject } from '../ical/validate.js';
import { toDavError } from './store-errors.js';

export function calendarObjectInput(collection: Collection, name: string, data: Buffer, limits: ObjectLimits = DEFAULT_OBJECT_LIMITS): ObjectInput {
  try {
    const info = validateCalendarObject(data, { allowedComponents: collection.components, exactInstance: true, limits });
    return { name, data, contentType: 'text/calendar; charset=utf-8; component=' + info.componentType.toLowerCase(), uid: info.uid, componentType: info.componentType, firstStart: info.firstStart, lastEnd: info.lastEnd, instanceStart: info.instanceStart ?? null, instanceEnd: info.instanceEnd ?? null };
  } catch (err) {
    throw toDavError(err);
  }
}

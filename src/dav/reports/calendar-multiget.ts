// calendar-multiget (RFC 4791 §7.9): the listed calendar objects with the requested properties,
// usually getetag and calendar-data. The batching, limits and streaming are multiget.ts's.
import type { XmlElement } from '../../xml/parse.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import type { Resource } from '../resources.js';
import { CALENDAR_DATA } from '../data-properties.js';
import { multiget } from './multiget.js';

export function calendarMultiget(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  return multiget(req, svc, target, root, CALENDAR_DATA, 'calendar-multiget', 'calendar');
}

// REPORT (RFC 3253 §3.6): dispatches on the root element of the body to the report handlers in
// dav/reports/. Unknown reports are 403 with supported-report (RFC 3253 §3.6).
import { CALDAV, DAV } from '../../xml/names.js';
import type { MethodHandler } from '../context.js';
import { DavError, badRequest, notFound } from '../errors.js';
import { readXmlBody } from '../xml-body.js';
import { calendarMultiget } from '../reports/calendar-multiget.js';
import { syncCollection } from '../reports/sync-collection.js';
import { calendarQuery } from '../reports/calendar-query.js';
import { freeBusyQuery } from '../reports/free-busy-query.js';

const reports = {
  [CALDAV.calendarMultiget]: calendarMultiget,
  [DAV.syncCollection]: syncCollection,
  [CALDAV.calendarQuery]: calendarQuery,
  [CALDAV.freeBusyQuery]: freeBusyQuery,
} as const;

export const report: MethodHandler = async (req, svc, resource) => {
  if (resource.kind === 'missing') throw notFound();
  const root = await readXmlBody(req, svc);
  if (!root) throw badRequest('REPORT needs a body');
  const handler = (reports as Record<string, typeof calendarMultiget>)[root.name];
  if (!handler) throw new DavError(403, DAV.supportedReport, `Report ${root.local} is not supported here`);
  return handler(req, svc, resource, root);
};

// REPORT (RFC 3253 §3.6): dispatches on the root element of the body to the report handlers in
// dav/reports/. Unknown reports are 403 with supported-report (RFC 3253 §3.6). The names and
// where they are announced are reports/supported.ts; this table must list the same names.
import { CALDAV, CS, DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { DavRequest, DavResponse, DavServices, MethodHandler } from '../handler-types.js';
import { DavError, badRequest, notFound } from '../errors.js';
import type { Resource } from '../resources.js';
import { readXmlBody } from '../xml-body.js';
import { isReportName, type ReportName } from '../reports/supported.js';
import { calendarMultiget } from '../reports/calendar-multiget.js';
import { syncCollection } from '../reports/sync-collection.js';
import { calendarQuery } from '../reports/calendar-query.js';
import { freeBusyQuery } from '../reports/free-busy-query.js';
import { expandProperty } from '../reports/expand-property.js';
import { principalPropertySearch } from '../reports/principal-property-search.js';
import { principalSearchPropertySet } from '../reports/principal-search-property-set.js';
import { principalMatch } from '../reports/principal-match.js';
import { calendarserverPrincipalSearch } from '../reports/calendarserver-principal-search.js';

type ReportHandler = (req: DavRequest, svc: DavServices, target: Resource, root: XmlElement) => Promise<DavResponse>;

const reports: Record<ReportName, ReportHandler> = {
  [CALDAV.calendarMultiget]: calendarMultiget,
  [DAV.syncCollection]: syncCollection,
  [CALDAV.calendarQuery]: calendarQuery,
  [CALDAV.freeBusyQuery]: freeBusyQuery,
  [DAV.expandProperty]: expandProperty,
  [DAV.principalPropertySearch]: principalPropertySearch,
  [DAV.principalSearchPropertySet]: principalSearchPropertySet,
  [DAV.principalMatch]: principalMatch,
  [CS.calendarserverPrincipalSearch]: calendarserverPrincipalSearch,
};

export const report: MethodHandler = async (req, svc, resource) => {
  if (resource.kind === 'missing') throw notFound();
  const root = await readXmlBody(req, svc);
  if (!root) throw badRequest('REPORT needs a body');
  if (!isReportName(root.name)) throw new DavError(403, DAV.supportedReport, `Report ${root.local} is not supported here`);
  return reports[root.name](req, svc, resource, root);
};

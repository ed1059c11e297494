// The DAV names of the URL builders of src/urls.ts (the one URL module; issue 12 item 7), kept so
// dav/ files read as before. Hrefs are decoded paths; xml/serialize percent-encodes them once.
export {
  DAV_ROOT, PRINCIPALS, CALENDARS, GROUPS,
  groupPath as groupHref,
  principalPath as principalHref,
  homePath as homeHref,
  calendarPath as calendarHref,
  objectPath as objectHref,
  homeMemberPath as homeMemberHref,
  parseDavPath, hrefToPath,
  type ParsedPath,
} from '../urls.js';

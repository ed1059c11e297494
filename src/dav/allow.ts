// Which methods each kind of resource answers (the Allow header of OPTIONS and of 405s), and the
// DAV compliance classes (RFC 4918 §18, RFC 4791 §5.1, RFC 5689 §3, RFC 3744 §7.2). No class 2:
// LOCK is not implemented, and Apple clients do not need it (CLIENTS.md §1.2 step 2).
import type { Resource } from './resources.js';

export const DAV_CLASSES = '1, 3, access-control, calendar-access, extended-mkcol';

const READ = ['OPTIONS', 'GET', 'HEAD', 'PROPFIND', 'REPORT'];

export function allowedMethods(r: Resource): string[] {
  switch (r.kind) {
    case 'root': case 'principals': case 'calendars': case 'principal':
      return [...READ, 'PROPPATCH'];
    case 'home':
      return [...READ, 'PROPPATCH', 'MKCOL', 'MKCALENDAR'];
    case 'calendar': case 'collection':
      return [...READ, 'PROPPATCH', 'DELETE', 'COPY', 'MOVE'];
    case 'object':
      return [...READ, 'PROPPATCH', 'PUT', 'DELETE', 'COPY', 'MOVE'];
    case 'missing':
      return ['OPTIONS', 'PUT', 'MKCOL', 'MKCALENDAR'];
  }
}

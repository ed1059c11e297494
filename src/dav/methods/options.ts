// OPTIONS (RFC 4918 §9.1, RFC 4791 §5.1): the DAV compliance classes and the allowed methods.
// DAVx5 accepts a principal only when OPTIONS on it lists calendar-access (CLIENTS.md §3);
// Thunderbird sends OPTIONS to the parent of each calendar (CLIENTS.md §2.2).
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import type { Resource } from '../resources.js';
import { DAV_CLASSES, allowHeader } from '../allow.js';

export async function options(_req: DavRequest, _svc: DavServices, resource: Resource): Promise<DavResponse> {
  return {
    status: 200,
    headers: { DAV: DAV_CLASSES, Allow: allowHeader(resource), 'Content-Length': '0' },
    body: null,
  };
}

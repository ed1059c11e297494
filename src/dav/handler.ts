// Dispatches a DAV request to the handler of its method, after resolving the target resource.
// Unknown methods are 501 (RFC 9110 §15.6.2) with the Allow list of the resource when it can be
// seen; known methods a resource does not support are 405 with the resource's Allow list. Both
// lists come from METHOD_KINDS (allow.ts), which this table must match method for method.
import type { DavRequest, DavResponse, DavServices, MethodHandler } from './handler-types.js';
import { resolve, type Resource } from './resources.js';
import { refuseBusyViewWrite } from './sharee-view.js';
import { ANY_RESOURCE_ALLOW, allowHeader, allowedMethods, isDavMethod, type DavMethod } from './allow.js';
import { DavError, methodNotAllowed, notFound, resourceMustBeNull } from './errors.js';
import { options } from './methods/options.js';
import { propfind } from './methods/propfind.js';
import { proppatch } from './methods/proppatch.js';
import { get } from './methods/get.js';
import { put } from './methods/put.js';
import { del } from './methods/delete.js';
import { mkcol } from './methods/mkcol.js';
import { mkcalendar } from './methods/mkcalendar.js';
import { copyMove } from './methods/copy-move.js';
import { report } from './methods/report.js';
import './properties/index.js';
import { handleSchedulingCollection } from './scheduling-collections.js';

const handlers: Record<DavMethod, MethodHandler> = {
  OPTIONS: options,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: del,
  MKCOL: mkcol,
  MKCALENDAR: mkcalendar,
  COPY: copyMove,
  MOVE: copyMove,
  REPORT: report,
};

/** Methods that create what they name: below a principal they are refused (403), not 404. */
const CREATING = new Set<string>(['PUT', 'MKCOL', 'MKCALENDAR']);

export async function handleDav(req: DavRequest, svc: DavServices): Promise<DavResponse> {
  // RFC 6638 §2: the user's scheduling inbox and outbox (not calendars; their own module).
  const scheduling = await handleSchedulingCollection(req, svc);
  if (scheduling) return scheduling;
  if (!isDavMethod(req.method)) throw await notImplemented(req, svc);
  const resource = await resolve(svc.store, req.user, req.path, { withData: req.method === 'GET', creating: CREATING.has(req.method), device: req.device });
  refuseBusyViewWrite(req.method, resource);
  const allow = allowedMethods(resource);
  if (!allow.includes(req.method)) {
    // Nothing at this URL: methods that need an existing resource get 404, not 405.
    if (resource.kind === 'missing') throw notFound();
    // RFC 4791 §5.3.1: MKCALENDAR where something exists fails DAV:resource-must-be-null.
    if (req.method === 'MKCALENDAR') throw resourceMustBeNull();
    throw methodNotAllowed(allowHeader(resource));
  }
  return handlers[req.method](req, svc, resource);
}

/** 501 with the Allow list of the target when the user may see it, else of the server. */
async function notImplemented(req: DavRequest, svc: DavServices): Promise<DavError> {
  let resource: Resource | null = null;
  try {
    resource = await resolve(svc.store, req.user, req.path, { device: req.device });
  } catch {
    // Unreadable or malformed target: the server-wide list says no more about it.
  }
  const allow = resource ? allowHeader(resource) : ANY_RESOURCE_ALLOW;
  return new DavError(501, null, `${req.method} is not implemented`, [], { Allow: allow });
}

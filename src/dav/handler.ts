// Dispatches a DAV request to the handler of its method, after resolving the target resource.
// Unknown methods are 501 (RFC 9110 §15.6.2); known methods a resource does not support are 405
// with the resource's Allow list.
import type { DavRequest, DavResponse, DavServices, MethodHandler } from './context.js';
import { resolve } from './resources.js';
import { refuseBusyViewWrite } from './sharee-view.js';
import { allowedMethods } from './allow.js';
import { DavError, methodNotAllowed, notFound } from './errors.js';
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

const handlers: Record<string, MethodHandler> = {
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

export function registerMethod(method: string, handler: MethodHandler): void {
  handlers[method] = handler;
}

export async function handleDav(req: DavRequest, svc: DavServices): Promise<DavResponse> {
  const handler = handlers[req.method];
  if (!handler) throw new DavError(501, null, `${req.method} is not implemented`);
  const resource = await resolve(svc.store, req.user, req.path, { withData: req.method === 'GET' });
  refuseBusyViewWrite(req.method, resource);
  const allow = allowedMethods(resource);
  if (!allow.includes(req.method)) {
    // Nothing at this URL: methods that need an existing resource get 404, not 405.
    if (resource.kind === 'missing') throw notFound();
    throw methodNotAllowed(allow.join(', '));
  }
  return handler(req, svc, resource);
}

// Turns Koa's ctx into the plain DavRequest that dav/ handlers take, and writes their DavResponse
// back. Streamed bodies (large multistatus answers) are piped as they are produced.
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { DavRequest, DavResponse, DavServices } from '../dav/context.js';
import { handleDav } from '../dav/handler.js';
import { readBody } from './body.js';
import { badRequest } from '../dav/errors.js';

export function toDavRequest(ctx: Context): DavRequest {
  let consumed = false;
  return {
    method: ctx.method,
    path: ctx.path,
    header: (name) => ctx.get(name) || undefined,
    body: (limit, tooLarge) => {
      if (consumed) throw new Error('request body read twice');
      consumed = true;
      return readBody(ctx, limit, tooLarge);
    },
    // Koa 3 no longer delegates ctx.origin; build it from the (proxy-aware) protocol and host.
    origin: `${ctx.protocol}://${ctx.host}`,
    user: ctx.state.user,
  };
}

export function writeDavResponse(ctx: Context, res: DavResponse): void {
  const body = res.body;
  // Body first: Koa adjusts status and headers when a body is assigned (null → 204, and it
  // drops Content-Type/Length), so the handler's status and headers are applied afterwards.
  if (body === undefined || body === null) ctx.body = null;
  else if (typeof body === 'string' || Buffer.isBuffer(body)) ctx.body = body;
  else ctx.body = Readable.from(body);
  ctx.status = res.status;
  for (const [k, v] of Object.entries(res.headers ?? {})) ctx.set(k, v);
}

export function davRoute(svc: DavServices) {
  return async function davRouteMiddleware(ctx: Context): Promise<void> {
    // A request-target never holds a fragment (RFC 9112 §3.2, RFC 3986 §3.3: "#" is no pchar).
    // Koa's URL parsing would drop "#…" silently and act on the shorter path: DELETE /c/#frag
    // deleted /c/ (litmus basic delete_fragment). A "#" in a name travels as %23.
    if (ctx.req.url?.includes('#')) throw badRequest('The request URI must not contain "#"; percent-encode it as %23');
    const res = await handleDav(toDavRequest(ctx), { ...svc, log: ctx.state.log ?? svc.log });
    writeDavResponse(ctx, res);
  };
}

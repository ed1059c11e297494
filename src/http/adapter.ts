// Turns Koa's ctx into the plain DavRequest that dav/ handlers take, and writes their DavResponse
// back. Streamed bodies (large multistatus answers) are piped as they are produced; one that ends
// within its first chunk (a Depth-0 PROPFIND, most REPORTs) is sent whole with a
// Content-Length, without a stream pipeline and chunked encoding per request. Text reaches the
// socket as bytes (`bytesOf`).
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { BodyChunks, DavRequest, DavResponse, DavServices } from '../dav/handler-types.js';
import { handleDav } from '../dav/handler.js';
import { readBody } from './body.js';
import { requestOrigin } from './origin.js';
import { badRequest } from '../dav/errors.js';
import { joinChunks } from '../xml/chunked-writer.js';

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
    // Koa 3 no longer delegates ctx.origin; built from the (proxy-aware) protocol and host (origin.ts).
    // A plain value rather than a lazy getter: with the getter, every request's Koa context,
    // socket objects and headers survived two scavenges and were promoted to the old space
    // (measured: 1.6 MB per scavenge while polling, the old space growing by ~60 MB between
    // full GCs, which set the peak RSS); computing it costs ~1 µs.
    origin: requestOrigin(ctx),
    user: ctx.state.user,
    device: ctx.state.device ?? null,
  };
}

/**
 * Text encoded before it is written. Handed to the socket as strings, the answers outlived two
 * scavenges and were promoted, only to die in the old generation (the socket keeps a write's
 * chunks until it completes): for DAVx5's multigets of 10 events (16 KB answers),
 * `--trace-gc-nvp` showed 187 KB promoted per scavenge as strings and 71 KB as Buffers, and its
 * initial sync in the bench took 710–750 ms instead of 790–970 ms (the old generation's
 * collections, frequent at --heap-growing-percent=30, were what it saved). The encoding is the
 * same work the socket did; Koa no longer scans the text for its length either.
 */
function bytesOf(c: string | Buffer): Buffer {
  return typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
}

/** Below this many characters a produced body is sent whole rather than streamed. */
const STREAM_ABOVE = 64 * 1024;

/** Reads a chunked body up to STREAM_ABOVE: the whole body when it ends by then, else a stream. */
async function settle(body: BodyChunks): Promise<string | Buffer | Readable> {
  const it = body[Symbol.asyncIterator]();
  const first: (string | Buffer)[] = [];
  let size = 0;
  for (;;) {
    const n = await it.next();
    if (n.done) return first.length === 0 ? '' : bytesOf(joinChunks(first));
    first.push(n.value);
    size += n.value.length;
    if (size >= STREAM_ABOVE) break;
  }
  // Streamed chunks are encoded one by one too. Handed over as text, each write made Node reserve
  // 3 bytes per character for the encoding (StreamBase::Writev): 192 KB and more for a 64 KB
  // chunk, above glibc's mmap threshold (128 KB, bin/sundial.js), so every chunk was an mmap, 48
  // page faults and an munmap whose TLB shootdown interrupts the other CPU. A Thunderbird listing
  // of 9000 cards spent 25–35 ms of system time a listing so (perf: munmap 12%, page faults 5%);
  // as Buffers (exactly 64 KB, from the heap) 4–12 ms, and 66–74 ms became 35–50 ms (bench).
  return Readable.from(encoded(first, it));
}

/**
 * `first`, then the rest of `it`, as bytes. A module-level generator, not a closure in settle():
 * V8 keeps a generator's function context after it finishes, which kept each request's scope
 * alive into the old generation (dav/reports/multiget.ts, where it was measured).
 */
async function* encoded(first: readonly (string | Buffer)[], it: AsyncIterator<string | Buffer>): AsyncGenerator<Buffer> {
  for (const c of first) yield bytesOf(c);
  for (let n = await it.next(); !n.done; n = await it.next()) yield bytesOf(n.value);
}

export async function writeDavResponse(ctx: Context, res: DavResponse): Promise<void> {
  const body = res.body;
  // Body first: Koa adjusts status and headers when a body is assigned (null → 204, and it
  // drops Content-Type/Length), so the handler's status and headers are applied afterwards.
  if (body === undefined || body === null) ctx.body = null;
  else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    // Content-Type first: for a body without one Koa guesses it with a RegExp over the body.
    const type = res.headers?.['Content-Type'];
    if (type !== undefined) ctx.set('Content-Type', type);
    ctx.body = bytesOf(body);
  } else ctx.body = await settle(body);
  ctx.status = res.status;
  for (const [k, v] of Object.entries(res.headers ?? {})) ctx.set(k, v);
}

export function davRoute(svc: DavServices) {
  return async function davRouteMiddleware(ctx: Context): Promise<void> {
    // A request-target never holds a fragment (RFC 9112 §3.2, RFC 3986 §3.3: "#" is no pchar).
    // Koa's URL parsing would drop "#…" silently and act on the shorter path: DELETE /c/#frag
    // deleted /c/ (litmus basic delete_fragment). A "#" in a name travels as %23.
    if (ctx.req.url?.includes('#')) throw badRequest('The request URI must not contain "#"; percent-encode it as %23');
    const state = ctx.state;
    // The request's child logger is created only if a handler logs (request-context.ts).
    const services: DavServices = { store: svc.store, config: svc.config, queries: svc.queries, xmlBodies: svc.xmlBodies, scheduler: svc.scheduler, cards: svc.cards, get log() { return state.log ?? svc.log; } };
    const res = await handleDav(toDavRequest(ctx), services);
    await writeDavResponse(ctx, res);
  };
}

// Streams a 207 Multi-Status body (RFC 4918 §13): responses are rendered as they are produced
// into chunks of at most 64 KB (xml/chunked-writer.ts) and sent chunk by chunk as the socket
// takes them, so a 9000-member listing, or a multiget of a thousand large objects, never sits
// whole in memory. Entries given as a plain (synchronous) iterable are rendered without
// a promise per entry; an array (Depth 0, a multiget batch: already in memory) is rendered at once
// and sent whole with a Content-Length (http/adapter.ts).
import { CHUNK_BYTES, ChunkedWriter, joinChunks, type Chunk } from '../xml/chunked-writer.js';
import { multistatusEnd, multistatusStart, writeResponse, type ResponseEntry } from '../xml/serialize.js';
import type { DavResponse } from './handler-types.js';
import { slicer } from '../time-slice.js';

/** A response, or a response already rendered as text (`okResponseXml`). */
type Item = ResponseEntry | string;

/** What can be streamed: entries one by one, or (AsyncIterable of arrays) in pages; or an array. */
type Entries = AsyncIterable<ResponseEntry> | AsyncIterable<Item[]> | Iterable<ResponseEntry> | Item[];

function write(x: Item, w: ChunkedWriter): void {
  if (typeof x === 'string') w.text(x);
  else writeResponse(x, w);
}

function isSync(entries: Entries): entries is Iterable<ResponseEntry> | Item[] {
  return Symbol.iterator in entries;
}

/**
 * Chunks of at most CHUNK_BYTES (UTF-16 units for text): one large rendering (a 5 MB
 * calendar-data) is passed on in slices, so the stream that sends the body, which reads ahead
 * a fixed number of chunks (http/adapter.ts), holds a bounded number of bytes, not of objects.
 */
export function* bounded(chunks: readonly Chunk[]): Generator<Chunk> {
  for (const c of chunks) {
    if (c.length <= CHUNK_BYTES) {
      yield c;
      continue;
    }
    if (typeof c !== 'string') {
      for (let at = 0; at < c.length; at += CHUNK_BYTES) yield c.subarray(at, at + CHUNK_BYTES);
      continue;
    }
    for (let at = 0; at < c.length;) {
      let end = Math.min(at + CHUNK_BYTES, c.length);
      // Never between the halves of a surrogate pair: each slice is encoded on its own.
      const last = c.charCodeAt(end - 1);
      if (end < c.length && last >= 0xd800 && last <= 0xdbff) end--;
      yield c.slice(at, end);
      at = end;
    }
  }
}

async function* render(entries: Entries, syncToken?: string): AsyncGenerator<Chunk> {
  const w = new ChunkedWriter();
  // A fast reader on loopback takes chunks as fast as they are made, so backpressure alone never
  // hands the event loop back: a 3000-member PROPFIND of many properties held it for ~460 ms.
  // Every few milliseconds of rendering, other requests get their turn (SPEC "Limits").
  const pause = slicer();
  /** One response, rendered and handed on in chunks of at most CHUNK_BYTES. */
  const emit = (x: Item) => {
    write(x, w);
    return bounded(w.takeFull());
  };
  w.text(multistatusStart());
  if (isSync(entries)) {
    for (const e of entries) {
      yield* emit(e);
      const turn = pause();
      if (turn) await turn;
    }
  } else {
    for await (const e of entries) {
      // A page is rendered without a promise per entry, and handed on entry by entry: the
      // consumer's pace (the socket's backpressure) decides when the next entry is rendered.
      for (const x of Array.isArray(e) ? e : [e]) {
        yield* emit(x);
        const turn = pause();
        if (turn) await turn;
      }
    }
  }
  w.text(multistatusEnd(syncToken));
  yield* bounded(w.takeAll());
}

/**
 * `source` run up to its first item now, then the rest as it is read: an error in the first item
 * (the whole answer of a small report) is thrown here, before a 207 is committed.
 */
export async function startedStream<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const it = source[Symbol.asyncIterator]();
  return startedWith(await it.next(), it);
}

/**
 * `first`, then the rest of `it`. A module-level generator given what it needs, not a closure: V8
 * keeps a generator's function context from the generator object after it finishes, and the
 * object outlives the young generation, so a closure here kept each request's scope alive into
 * the old generation (reports/multiget.ts, where it was measured).
 */
async function* startedWith<T>(first: IteratorResult<T>, it: AsyncIterator<T>): AsyncGenerator<T> {
  if (first.done) return;
  yield first.value;
  for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
}

/**
 * The 207 response. An array of entries is rendered at once (a string when it fits in a chunk,
 * else one Buffer; chunks rather than one big string keep the text out of V8's large-object
 * space, which only a full GC frees): one write, without the stream machinery per response. Iterables and async
 * iterables (of entries, or of pages of entries) are rendered as the body is read.
 */
export function multistatus(entries: Entries, opts: { syncToken?: string; headers?: Record<string, string> } = {}): DavResponse {
  let body: DavResponse['body'];
  if (Array.isArray(entries)) {
    const w = new ChunkedWriter();
    w.text(multistatusStart());
    for (const e of entries) write(e, w);
    w.text(multistatusEnd(opts.syncToken));
    body = joinChunks(w.takeAll());
  } else {
    body = render(entries, opts.syncToken);
  }
  return {
    status: 207,
    headers: { 'Content-Type': 'application/xml; charset=utf-8', ...(opts.headers ?? {}) },
    body,
  };
}

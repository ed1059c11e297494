// Streams a 207 Multi-Status body (RFC 4918 §13): responses are rendered as they are produced
// into chunks of ~64 KB (xml/chunked-writer.ts) and sent chunk by chunk, so a 9000-member listing
// never sits whole in memory. Entries given as a plain (synchronous) iterable are rendered without
// a promise per entry; an array (Depth 0, a multiget batch: already in memory) is rendered at once
// and sent whole with a Content-Length (http/adapter.ts).
import { ChunkedWriter, joinChunks, type Chunk } from '../xml/chunked-writer.js';
import { multistatusEnd, multistatusStart, writeResponse, type ResponseEntry } from '../xml/serialize.js';
import type { DavResponse } from './context.js';

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

async function* render(entries: Entries, syncToken?: string): AsyncGenerator<Chunk> {
  const w = new ChunkedWriter();
  w.text(multistatusStart());
  if (isSync(entries)) {
    for (const e of entries) {
      write(e, w);
      yield* w.takeFull();
    }
  } else {
    for await (const e of entries) {
      // A page is rendered without a promise per entry.
      if (Array.isArray(e)) for (const x of e) write(x, w);
      else writeResponse(e, w);
      yield* w.takeFull();
    }
  }
  w.text(multistatusEnd(syncToken));
  yield* w.takeAll();
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

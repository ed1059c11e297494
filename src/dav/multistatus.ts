// Streams a 207 Multi-Status body (RFC 4918 §13): responses are rendered as they are produced
// and sent in chunks, so a 9000-member listing never sits whole in memory. Entries given as a
// plain (synchronous) iterable are rendered without a promise per entry; an array, or a body that
// fits in one chunk, is sent whole with a Content-Length (http/adapter.ts).
import { multistatusEnd, multistatusStart, responseXml, type ResponseEntry } from '../xml/serialize.js';
import type { DavResponse } from './context.js';

const CHUNK = 64 * 1024;

/** What can be streamed: entries one by one, or (AsyncIterable of arrays) in pages. */
type Entries = AsyncIterable<ResponseEntry> | AsyncIterable<ResponseEntry[]> | Iterable<ResponseEntry>;

function isSync(entries: Entries): entries is Iterable<ResponseEntry> {
  return Symbol.iterator in entries;
}

async function* render(entries: Entries, syncToken?: string): AsyncGenerator<string> {
  let buf = multistatusStart();
  if (isSync(entries)) {
    for (const e of entries) {
      buf += responseXml(e);
      if (buf.length >= CHUNK) {
        yield buf;
        buf = '';
      }
    }
  } else {
    for await (const e of entries) {
      // A page is rendered without a promise per entry.
      for (const x of Array.isArray(e) ? e : [e]) {
        buf += responseXml(x);
        if (buf.length >= CHUNK) {
          yield buf;
          buf = '';
        }
      }
    }
  }
  yield buf + multistatusEnd(syncToken);
}

/**
 * The 207 response. An array of entries (Depth 0, a multiget batch: already in memory) is rendered
 * at once and sent in one write: a string when it fits in a chunk, else one Buffer filled chunk by
 * chunk (chunks rather than one big string keep the text out of V8's large-object space, which
 * only a full GC frees; a Buffer rather than a stream saves the stream machinery per response).
 * Iterables and async iterables (of entries, or of pages of entries) are rendered as the body is read.
 */
export function multistatus(entries: Entries, opts: { syncToken?: string; headers?: Record<string, string> } = {}): DavResponse {
  let body: DavResponse['body'];
  if (Array.isArray(entries)) {
    const chunks: string[] = [];
    let buf = multistatusStart();
    for (const e of entries as ResponseEntry[]) {
      buf += responseXml(e);
      if (buf.length >= CHUNK) {
        chunks.push(buf);
        buf = '';
      }
    }
    buf += multistatusEnd(opts.syncToken);
    if (chunks.length === 0) body = buf;
    else {
      chunks.push(buf);
      let size = 0;
      for (const c of chunks) size += Buffer.byteLength(c);
      const out = Buffer.allocUnsafe(size);
      let at = 0;
      for (const c of chunks) at += out.write(c, at);
      body = out;
    }
  } else {
    body = render(entries, opts.syncToken);
  }
  return {
    status: 207,
    headers: { 'Content-Type': 'application/xml; charset=utf-8', ...(opts.headers ?? {}) },
    body,
  };
}

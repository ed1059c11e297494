// Streams a 207 Multi-Status body (RFC 4918 §13): responses are rendered as they are produced
// and sent in chunks, so a 9000-member listing never sits whole in memory.
import { multistatusEnd, multistatusStart, responseXml, type ResponseEntry } from '../xml/serialize.js';
import type { DavResponse } from './context.js';

const CHUNK = 64 * 1024;

async function* render(entries: AsyncIterable<ResponseEntry> | Iterable<ResponseEntry>, syncToken?: string): AsyncGenerator<string> {
  let buf = multistatusStart();
  for await (const e of entries) {
    buf += responseXml(e);
    if (buf.length >= CHUNK) {
      yield buf;
      buf = '';
    }
  }
  yield buf + multistatusEnd(syncToken);
}

export function multistatus(entries: AsyncIterable<ResponseEntry> | Iterable<ResponseEntry>, opts: { syncToken?: string; headers?: Record<string, string> } = {}): DavResponse {
  return {
    status: 207,
    headers: { 'Content-Type': 'application/xml; charset=utf-8', ...(opts.headers ?? {}) },
    body: render(entries, opts.syncToken),
  };
}

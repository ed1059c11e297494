// The multigets of an initial sync, shared by the calendar and the address-book runs: the listed
// hrefs in batches of `shape.batch`, with `shape.concurrency` of them in flight at once, as the
// client sends them — after the whole listing, or (`shape.pipelined`, DAVx5) while it arrives.
import { pool, type Reply } from './http.js';
import { listedHrefs } from './multistatus.js';
import type { Shape } from './variants.js';

/** What a client reads of a listed member to decide whether to fetch it. */
export interface Listed {
  href: string;
  status: number | null;
}

/**
 * Sends one request per batch of `hrefs` (one naming them all when `shape.batch` is 0 or absent)
 * and returns the answers in batch order. `send` builds and sends one batch's request and throws
 * on a wrong status, which stops the sync as the client would.
 */
export async function fetchInBatches(hrefs: readonly string[], shape: Shape, send: (batch: readonly string[]) => Promise<Reply>): Promise<Reply[]> {
  const size = shape.batch || hrefs.length;
  const batches: (readonly string[])[] = [];
  for (let i = 0; i < hrefs.length; i += size) batches.push(hrefs.slice(i, i + size));
  return pool(batches, Math.max(1, shape.concurrency ?? 1), (batch) => send(batch));
}

// The end tag of a response, with any prefix; `response\s*>` leaves out `responsedescription`.
const RESPONSE_END = /<\/(?:[A-Za-z_][\w.-]*:)?response\s*>/g;

/**
 * The members of a multistatus read as its text arrives: each response is passed on as soon as
 * its end tag is in, as a streaming parser (dav4jvm's XmlPullParser over the body) hands it to
 * the client. A tag cut between two chunks waits for the next.
 */
export class ListingReader {
  private rest = '';

  constructor(private readonly found: (m: Listed) => void) {}

  push(text: string): void {
    const s = this.rest + text;
    let end = -1;
    RESPONSE_END.lastIndex = 0;
    for (let m = RESPONSE_END.exec(s); m !== null; m = RESPONSE_END.exec(s)) end = m.index + m[0].length;
    if (end < 0) {
      this.rest = s;
      return;
    }
    for (const m of listedHrefs(s.slice(0, end))) this.found(m);
    this.rest = s.slice(end);
  }
}

/**
 * An initial sync's listing and its multigets. `list` sends the listing, passing its text to
 * `onText` as it arrives when given one, and throws on a wrong status; `wanted` is the href to
 * fetch for a listed member, or null. Without `shape.pipelined` the hrefs are read from the whole
 * listing and fetched after it (fetchInBatches). With it, each batch is sent as soon as the
 * listing has named its hrefs, while the rest of the listing is still arriving, with at most
 * `shape.concurrency` in flight; the last, shorter batch goes when the listing ends. That is
 * DAVx5's sync: dav4jvm parses the sync-collection answer as it reads the body and hands each
 * member on, and SyncManager launches a multiget per 10 of them (davx5-ose since 2026-08:
 * `listChanges(…).batchMap(10)`, FlowUtils.kt `chunked(10).flatMapMerge`; before: `syncRemote`'s
 * listing callback launching `downloadRemote` per 10). Answers come back in batch order.
 */
export async function listAndFetch(
  list: (onText?: (text: string) => void) => Promise<Reply>,
  wanted: (m: Listed) => string | null,
  shape: Shape,
  send: (batch: readonly string[]) => Promise<Reply>,
): Promise<{ listing: Reply; answers: Reply[] }> {
  if (!shape.pipelined) {
    const listing = await list();
    const hrefs = listedHrefs(listing.body).map(wanted).filter((h): h is string => h !== null);
    return { listing, answers: await fetchInBatches(hrefs, shape, send) };
  }
  const size = shape.batch;
  if (!size) throw new Error('a pipelined fetch needs a batch size');
  const batches: string[][] = [];
  let pending: string[] = [];
  let ended = false;
  const waiting: (() => void)[] = [];
  const wake = () => {
    for (const w of waiting.splice(0)) w();
  };
  const reader = new ListingReader((m) => {
    const href = wanted(m);
    if (href === null) return;
    pending.push(href);
    if (pending.length === size) {
      batches.push(pending);
      pending = [];
      wake();
    }
  });
  const answers: Reply[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed) {
      if (next < batches.length) {
        const i = next++;
        answers[i] = await send(batches[i]!);
      } else if (ended) return;
      else await new Promise<void>((r) => waiting.push(r));
    }
  };
  const workers = Promise.all(Array.from({ length: Math.max(1, shape.concurrency ?? 1) }, worker));
  // Seen when awaited below; until then a failed batch must not count as unhandled.
  workers.catch(() => {
    failed = true;
  });
  let listing: Reply;
  try {
    listing = await list((text) => reader.push(text));
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    if (pending.length > 0 && !failed) batches.push(pending);
    ended = true;
    wake();
  }
  await workers;
  return { listing, answers };
}

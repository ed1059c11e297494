// The multigets of an initial sync, shared by the calendar and the address-book runs: the listed
// hrefs in batches of `shape.batch`, with `shape.concurrency` of them in flight at once, as the
// client sends them.
import { pool, type Reply } from './http.js';
import type { Shape } from './variants.js';

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

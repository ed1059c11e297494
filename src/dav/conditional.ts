// Conditional requests (RFC 9110 §13): If-Match and If-None-Match for writes are checked by the
// store inside the write transaction (so two racing writers cannot both win, SPEC); reads are
// checked here against the current ETag.
import type { WriteConditions } from '../store/types.js';
import type { DavRequest } from './handler-types.js';
import { preconditionFailed } from './errors.js';

/** Parses an entity-tag list: '*' or strong/weak tags; weak tags never match for writes. */
export function parseEtagList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '*') return ['*'];
  const tags = trimmed.match(/(W\/)?"[^"]*"/g) ?? [];
  return tags;
}

export function writeConditions(req: DavRequest): WriteConditions {
  const cond: WriteConditions = {};
  const ifMatch = parseEtagList(req.header('if-match'));
  const ifNoneMatch = parseEtagList(req.header('if-none-match'));
  // Weak comparison is not allowed for If-Match (RFC 9110 §13.1.1): drop weak tags. A header
  // left without a strong tag (only weak tags, or garbage) can match nothing: 412 at once, rather
  // than an empty list the store would read as "no condition" and write anyway.
  if (ifMatch) {
    cond.ifMatch = ifMatch.filter((t) => !t.startsWith('W/'));
    if (cond.ifMatch.length === 0) throw preconditionFailed('If-Match holds no strong entity tag, so nothing can match');
  }
  if (ifNoneMatch) cond.ifNoneMatch = ifNoneMatch.map((t) => t.replace(/^W\//, ''));
  return cond;
}

/** For GET/HEAD: 'not-modified' (304), or throws 412 for a failed If-Match; null = proceed. */
export function checkRead(req: DavRequest, etag: string | null, lastModified: string | null): 'not-modified' | null {
  const ifMatch = parseEtagList(req.header('if-match'));
  if (ifMatch && !(etag && (ifMatch.includes('*') || ifMatch.includes(etag)))) throw preconditionFailed();
  const ifNoneMatch = parseEtagList(req.header('if-none-match'));
  if (ifNoneMatch) {
    if (etag && (ifNoneMatch.includes('*') || ifNoneMatch.map((t) => t.replace(/^W\//, '')).includes(etag))) return 'not-modified';
    return null;
  }
  const since = req.header('if-modified-since');
  if (since && lastModified) {
    const t = Date.parse(since);
    if (!Number.isNaN(t) && Math.floor(Date.parse(lastModified) / 1000) <= Math.floor(t / 1000)) return 'not-modified';
  }
  return null;
}

/** For writes on a resource that does not exist: If-Match fails at once (RFC 9110 §13.1.1). */
export function checkWriteOnMissing(req: DavRequest): void {
  if (req.header('if-match') !== undefined) throw preconditionFailed();
}

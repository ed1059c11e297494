// RFC 8144 §2 (Prefer: return=minimal) and its ancestor "Brief: t" (sent by Apple clients, also as
// the misspelt "Prefer: return-minimal", CLIENTS.md §1.2): drop the 404 propstats.
import type { DavRequest } from './handler-types.js';

export function wantsMinimal(req: DavRequest): boolean {
  const prefer = req.header('prefer') ?? '';
  if (/\breturn\s*[=-]\s*minimal\b/i.test(prefer)) return true;
  return /^\s*t\s*$/i.test(req.header('brief') ?? '');
}

/** The Preference-Applied header to echo when minimal was honoured via Prefer. */
export function preferenceApplied(req: DavRequest): Record<string, string> {
  return /\breturn\s*=\s*minimal\b/i.test(req.header('prefer') ?? '') ? { 'Preference-Applied': 'return=minimal' } : {};
}

// The Depth header (RFC 4918 §10.2). Missing means "infinity" for PROPFIND, COPY and MOVE.
import { badRequest } from './errors.js';
import type { DavRequest } from './handler-types.js';

export type Depth = '0' | '1' | 'infinity';

export function depthOf(req: DavRequest, missing: Depth): Depth {
  const raw = req.header('depth')?.trim().toLowerCase();
  if (raw === undefined || raw === '') return missing;
  if (raw === '0' || raw === '1' || raw === 'infinity') return raw;
  throw badRequest(`Invalid Depth header "${raw}"`);
}

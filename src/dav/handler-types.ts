// The plain request/response pair that DAV handlers work with. http/adapter.ts builds a
// DavRequest from Koa's ctx and writes the DavResponse back, so nothing in dav/ touches Koa.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store, User } from '../store/types.js';
import type { Resource } from './resources.js';
import type { QueryEngine } from './query/engine.js';
import type { XmlBodies } from './xml-body.js';
import type { ParsedCardCache } from '../vcard/cache.js';

export interface DavRequest {
  method: string;
  /** Decoded request path, e.g. "/dav/calendars/alice/work/x.ics". */
  path: string;
  /** Lower-case header lookup. */
  header(name: string): string | undefined;
  /** The body, read once with the given limit (413 / max-resource-size beyond it). */
  body(limit: number, tooLarge?: () => Error): Promise<Buffer>;
  /** scheme://host[:port] as the client addressed us (for Destination headers and links). */
  origin: string;
  user: User;
}

/** A body produced in chunks: text, or bytes already encoded (UTF-8). */
export type BodyChunks = AsyncIterable<string | Buffer>;

export interface DavResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or buffer, or a stream of chunks for large multistatus bodies. */
  body?: string | Buffer | BodyChunks | null;
}

export interface DavServices {
  store: Store;
  config: Config;
  log: Logger;
  /** The report caches of this store (query/engine.ts), created with it at the composition root. */
  queries: QueryEngine;
  /** Parsed small request bodies (xml-body.ts), also per app. */
  xmlBodies: XmlBodies;
  /** Parsed cards of addressbook-query (vcard/cache.ts), by collection, name and etag; per app. */
  cards: ParsedCardCache;
}

/** One file per method under dav/methods/; the dispatcher resolves the target resource first. */
export type MethodHandler = (req: DavRequest, svc: DavServices, resource: Resource) => Promise<DavResponse>;

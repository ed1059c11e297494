// Dead properties (RFC 4918 §4), kept verbatim. Implemented by store/sqlite/dead-properties.ts
// (`deadPropertyStore`); contract: test/store/contract/dead-properties.ts.
import type { CollectionPatch } from './collections.js';

export interface DeadProperty {
  /** Clark notation, "{namespace}local". */
  name: string;
  /** The property element serialized verbatim, with its namespace declarations. */
  xml: string;
}

/**
 * Keyed by (collection, object name); name '' is the collection itself. They follow their resource
 * through MOVE and COPY (RFC 4918 §9.8.2, §9.9.1; done by the object store in the same
 * transaction) and disappear with it; a new resource at the same name starts without them.
 */
export interface DeadPropertyStore {
  /** Ordered by property name; [] for an unknown resource. */
  getDeadProperties(collectionId: number, name: string): Promise<DeadProperty[]>;
  /**
   * Sets (xml non-null) and removes (xml null) dead properties and, for a collection (name ''),
   * applies a patch of its live properties, all in one transaction (PROPPATCH is atomic,
   * RFC 4918 §9.2); records one change (a member with changed properties is a changed member,
   * RFC 6578 §3.5; name '' moves only the collection's token). Throws NotFound. With
   * `maxDeadProperties`, throws LimitReached and changes nothing when the resource would hold more
   * than that many afterwards — counted in the transaction, so concurrent PROPPATCHes, each under
   * the limit as its caller counted, cannot pass it together.
   */
  patchDeadProperties(collectionId: number, name: string, ops: { name: string; xml: string | null }[], live?: CollectionPatch, opts?: { maxDeadProperties?: number }): Promise<void>;
}

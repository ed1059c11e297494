// Instances: how a calendar or an address book appears in one user's home, with that user's
// Synchronization switch (SPEC "Per-calendar synchronization"; address books alike, issue 14). Implemented by store/sqlite/instances.ts
// (`instanceStore`); contract: test/store/contract/instances.ts.
import type { Access, Collection, Home } from './collections.js';

/**
 * A (user, calendar) or (user, address book) pair: how the collection appears in one user's home
 * (SPEC "Per-calendar synchronization"). The name stayed from when only calendars had instances;
 * `Instance` is the same type.
 */
export interface CalendarInstance {
  userId: number;
  collection: Collection;
  /** The home it is listed in: collection.home. */
  home: Home;
  /** Segment of this calendar in the user's home; the owner's equals collection.uri. */
  uri: string;
  access: Access;
  /** The Synchronization switch: on means listed in the home and offered to devices. */
  syncEnabled: boolean;
  /** Sequence of the last change of this instance itself (added, switched, renamed). */
  changedSeq: number;
}

export type Instance = CalendarInstance;

/**
 * Every user who reaches a calendar or address book (owner or sharee) has an instance. Instances
 * are created by createCollection (the owner's) and share (a sharee's) and go with
 * deleteCollection/unshare. Every method works in one home, 'calendars' unless `home` says
 * otherwise (a uri names an instance only within its home).
 */
export interface InstanceStore {
  /**
   * The user's instances (own and shared) in the home, with or without the switched-off ones;
   * ordered by the collection's order (unordered ones last), then uri.
   */
  listInstances(userId: number, opts?: { syncOnly?: boolean; home?: Home }): Promise<CalendarInstance[]>;
  /**
   * Read on every request below a calendar or address book; an implementation may cache it but
   * must never return it after a change committed by anyone (its collection's syncSeq included).
   * Callers must not mutate the result (it may be shared and frozen).
   */
  getInstance(userId: number, uri: string, home?: Home): Promise<CalendarInstance | null>;
  /**
   * Flips the switch of one instance; switching off leaves a home tombstone (the home's
   * sync-collection reports the collection removed, RFC 6578 §3.5), switching on gives the
   * instance a new changedSeq (reported as added). Setting the current value changes nothing.
   * Throws NotFound.
   */
  setSyncEnabled(userId: number, uri: string, enabled: boolean, home?: Home): Promise<CalendarInstance>;
}

// Calendar instances: how a calendar appears in one user's home, with that user's Synchronization
// switch (SPEC "Per-calendar synchronization"). Implemented by store/sqlite/instances.ts
// (`instanceStore`); contract: test/store/contract/instances.ts.
import type { Access, Collection } from './collections.js';

/** A (user, calendar) pair: how a calendar appears in one user's home (SPEC "Per-calendar synchronization"). */
export interface CalendarInstance {
  userId: number;
  collection: Collection;
  /** Segment of this calendar in the user's home; the owner's equals collection.uri. */
  uri: string;
  access: Access;
  /** The Synchronization switch: on means listed in the home and offered to devices. */
  syncEnabled: boolean;
  /** Sequence of the last change of this instance itself (added, switched, renamed). */
  changedSeq: number;
}

/**
 * Every user who reaches a calendar (owner or sharee) has an instance. Instances are created by
 * createCollection (the owner's) and share (a sharee's) and go with deleteCollection/unshare.
 */
export interface InstanceStore {
  /**
   * The user's instances (own and shared), with or without the switched-off ones; ordered by the
   * calendar's order (unordered ones last), then uri.
   */
  listInstances(userId: number, opts?: { syncOnly?: boolean }): Promise<CalendarInstance[]>;
  /**
   * Read on every request below a calendar; an implementation may cache it but must never return
   * it after a change committed by anyone (its collection's syncSeq included). Callers must not
   * mutate the result (it may be shared and frozen).
   */
  getInstance(userId: number, uri: string): Promise<CalendarInstance | null>;
  /**
   * Flips the switch of one instance; switching off leaves a home tombstone (the home's
   * sync-collection reports the calendar removed, RFC 6578 §3.5), switching on gives the instance
   * a new changedSeq (reported as added). Setting the current value changes nothing. Throws NotFound.
   */
  setSyncEnabled(userId: number, uri: string, enabled: boolean): Promise<CalendarInstance>;
}

// Counters over a time window, shared by every process on the database (issue 18 item 3): failed
// logins (src/auth/throttle.ts) and iMIP mails per user and hour (src/scheduling/scheduler.ts).
// Held in memory they were per process, so two processes behind one address let a password
// guesser try twice as often, and a user send twice the mails. Implemented by
// store/sqlite/counters.ts and store/postgres/counters.ts; contract: test/store/contract/counters.ts.

/** A live counter: its count and the end of its window (epoch milliseconds). */
export interface Counter {
  count: number;
  until: number;
}

/** Keys are text (no NUL character: PostgreSQL text cannot hold it); callers build them with JSON.stringify. */
export interface CounterStore {
  /**
   * Adds one to each counter and sets the end of its window to `until` (a counter whose window had
   * ended starts again at one); returns the new counts, in the order of `keys`. Atomic per key:
   * two processes bumping at once both count.
   */
  bumpCounters(keys: readonly string[], until: number, now?: number): Promise<number[]>;
  /** The live counters (window not ended at `now`) of `keys`, in their order; null where none. */
  getCounters(keys: readonly string[], now?: number): Promise<(Counter | null)[]>;
  /**
   * Takes back one bump of each key that was made with this `until`: a reservation (the login
   * throttle counts an attempt before checking its password, auth/throttle.ts) that turned out not
   * to count. Subtracts one from each live counter; where no later bump moved its window (its end
   * is still `until`) the end goes back to `previousUntil[i]` (the end read before the bump; null:
   * there was no counter, the end is left); a counter left at zero is removed. Atomic per key, like
   * a bump: a bump by another process in between still counts.
   */
  unbumpCounters(keys: readonly string[], until: number, previousUntil: readonly (number | null)[], now?: number): Promise<void>;
  /** Sets a counter outright (a marker such as "logged in from here", count 1). */
  setCounter(key: string, count: number, until: number): Promise<void>;
  /** Removes a counter; an unknown key is ignored. */
  deleteCounter(key: string): Promise<void>;
}

/** Ended counters are deleted at most this often, by the process that bumps one. */
export const COUNTER_PRUNE_INTERVAL_MS = 5 * 60_000;

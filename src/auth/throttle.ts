// Throttles password guessing at two levels, both counted over `windowSeconds`:
// - one account from one address: after `limit` failures further attempts for that pair are
//   refused (429) until the window ends, without even checking the password, so a correct guess
//   cannot be confirmed either. Keyed by the pair, a stranger elsewhere cannot lock a user out.
// - one address across all accounts: after `addressLimit` failures (60 guesses against 60 user
//   names took 3.5 s before, issue 11 Low) the address gets 429 for every account that has not
//   logged in successfully from that same address within the last day (a colleague's polling
//   client behind the same NAT keeps working; guessing for that account stays bounded by the
//   per-pair limit), so spraying one password over many accounts is slowed as much as guessing
//   one. Only that address is blocked, and only for the window: users elsewhere are never
//   locked out by it.
// The counters live in the store (store/counters.ts), not in this process: with several
// processes behind one address (issue 18 item 3) a guesser spreading attempts over them meets
// the same limits, and a restart does not forget them. Each window slides: a failure extends it.
// An attempt that goes on to argon2 is counted before its password is checked (reserve): a check
// read first and a failure written ~50 ms later let 30 concurrent wrong guesses with a limit of 3
// all be checked (29–30 answered 401). The count returned by the atomic bump decides, so
// concurrent guesses cannot pass the limit together; a success takes its count back (succeed).
import type { Counter, CounterStore } from '../store/types.js';

const DAY_MS = 24 * 3600 * 1000;
/** A "logged in from here" mark is written again when less than this is left of its day: at most one write an hour per pair. */
const TRUST_REFRESH_MS = 23 * 3600 * 1000;

/** What one check read: the answer and what a success must then clear or renew. */
export interface ThrottleState {
  /** Seconds to wait when this attempt is refused, else 0. */
  wait: number;
  pair: Counter | null;
  byAddress: Counter | null;
  trusted: Counter | null;
}

/** An attempt counted before its password is checked (LoginThrottle.reserve). */
export interface Reservation {
  /** Seconds to wait when the attempt is refused (its count already taken back), else 0. */
  wait: number;
  /** The window end the bump set, which identifies it when it is taken back. */
  until: number;
}

export class LoginThrottle {
  constructor(
    private readonly store: CounterStore,
    private readonly limit: number,
    private readonly windowSeconds: number,
    private readonly addressLimit = Infinity,
  ) {}

  private static pairKey(username: string, address: string): string {
    return JSON.stringify(['login-pair', username, address]);
  }

  private static addressKey(address: string): string {
    return JSON.stringify(['login-address', address]);
  }

  private static trustKey(username: string, address: string): string {
    return JSON.stringify(['login-trusted', username, address]);
  }

  private static wait(entry: Counter | null, limit: number, now: number): number {
    if (!entry || entry.count < limit) return 0;
    return Math.max(1, Math.ceil((entry.until - now) / 1000));
  }

  /**
   * Whether this account may try a password from this address now (one read of the store): the
   * pair's own limit first, then the address's, which does not apply to an account that logged in
   * from this address within the last day.
   */
  async check(username: string, address: string, now = Date.now()): Promise<ThrottleState> {
    const [pair, byAddress, trusted] = await this.store.getCounters([LoginThrottle.pairKey(username, address), LoginThrottle.addressKey(address), LoginThrottle.trustKey(username, address)], now);
    let wait = LoginThrottle.wait(pair!, this.limit, now);
    if (wait === 0 && !trusted) wait = LoginThrottle.wait(byAddress!, this.addressLimit, now);
    return { wait, pair: pair!, byAddress: byAddress!, trusted: trusted! };
  }

  /**
   * Counts this attempt as a failure of the pair and of the address before its password is
   * checked, and refuses it when the count it gets is over a limit — the rule of check(), decided
   * by the atomic bump instead of an earlier read, so that concurrent attempts cannot all pass.
   * A sequential attempt over a limit never gets here: check() refused it without a write. A
   * refused attempt's counts are taken back (it was not checked, as a refusal by check() is not
   * counted); the window end they moved is left, so a race only ever lengthens the lockout.
   * If the attempt then fails, the counts stand as its failure (nothing more to write).
   */
  async reserve(username: string, address: string, state: ThrottleState, now = Date.now()): Promise<Reservation> {
    const keys = [LoginThrottle.pairKey(username, address), LoginThrottle.addressKey(address)];
    const until = now + this.windowSeconds * 1000;
    const [pair, byAddress] = await this.store.bumpCounters(keys, until, now);
    if (pair! <= this.limit && (state.trusted || byAddress! <= this.addressLimit)) return { wait: 0, until };
    await this.store.unbumpCounters(keys, until, [null, null], now).catch(() => {});
    // The window end stays where this bump put it (or later), so the wait is the whole window.
    return { wait: Math.max(1, Math.ceil((until - now) / 1000)), until };
  }

  async fail(username: string, address: string, now = Date.now()): Promise<void> {
    await this.store.bumpCounters([LoginThrottle.pairKey(username, address), LoginThrottle.addressKey(address)], now + this.windowSeconds * 1000, now);
  }

  /**
   * A success clears the pair's failures and marks the pair as trusted for a day; the address
   * count stays (one valid account must not unlock spraying). Writes only when there is something
   * to change, so a polling client's requests do not write.
   */
  async succeed(username: string, address: string, state: ThrottleState, now = Date.now(), reservation?: Reservation): Promise<void> {
    if (reservation) {
      // The attempt was counted before its password was checked (reserve): the pair's counter is
      // cleared as always, and the address's gets its count and (unless a later failure moved it)
      // its window end back, so it stands as if this success had never been counted.
      await this.store.deleteCounter(LoginThrottle.pairKey(username, address));
      await this.store.unbumpCounters([LoginThrottle.addressKey(address)], reservation.until, [state.byAddress?.until ?? null], now);
    } else if (state.pair) await this.store.deleteCounter(LoginThrottle.pairKey(username, address));
    if (!state.trusted || state.trusted.until - now < TRUST_REFRESH_MS) await this.store.setCounter(LoginThrottle.trustKey(username, address), 1, now + DAY_MS);
  }
}

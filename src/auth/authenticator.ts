// Verifies a user name and password once for every entry point (HTTP Basic on DAV, the web login
// form): throttle first, then — on DAV — a device's app password, then the credential cache, then
// argon2, counted against the throttle before it runs.
import type { Device, Store, User } from '../store/types.js';
import type { LRUCache } from 'lru-cache';
import { boundedCache } from '../bounded-cache.js';
import { CredentialCache } from './credential-cache.js';
import { LoginThrottle, type Reservation, type ThrottleState } from './throttle.js';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { appPasswordHash, appPasswordKey } from './app-passwords.js';

export type AuthResult =
  /** `device`: the device whose app password was presented; null for the account password. */
  | { ok: true; user: User; credentialVersion: number; device: Device | null }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfter: number }
  /** The account password was right, but the user (or the server) requires app passwords on DAV. */
  | { ok: false; reason: 'device-password-required' };

export interface AuthOptions {
  /** Accept app passwords and apply the "devices must use app passwords" policy (DAV); off for the web page. */
  devices?: boolean;
  /** The client's User-Agent, recorded as the device's last client. */
  userAgent?: string | undefined;
}

/** A device's last use is written at most this often (per device, whatever the process). */
const TOUCH_INTERVAL_MS = 60_000;

/** The longest user name an account may have (services/users.ts VALID_USERNAME). */
const MAX_USERNAME_LENGTH = 64;

export class Authenticator {
  readonly cache: CredentialCache;
  private readonly throttle: LoginThrottle;
  private readonly devicePasswordsRequired: boolean;
  /** Device id → when this process last wrote its last use. */
  private readonly touched: LRUCache<number, number>;

  constructor(
    private readonly store: Store,
    opts: { cacheSeconds: number; failureLimit: number; throttleSeconds: number; addressFailureLimit?: number; devicePasswordsRequired?: boolean },
  ) {
    this.cache = new CredentialCache(opts.cacheSeconds);
    this.throttle = new LoginThrottle(store, opts.failureLimit, opts.throttleSeconds, opts.addressFailureLimit);
    this.devicePasswordsRequired = opts.devicePasswordsRequired ?? false;
    this.touched = boundedCache(10_000, { ttl: TOUCH_INTERVAL_MS });
    // The cache is keyed by the credential version read on every request, so a password changed
    // by another process voids its entries anyway; forgetting them at once keeps no verified
    // password in memory longer than needed (store/cluster-events.ts).
    if (typeof store.events?.subscribe === 'function') {
      store.events.subscribe((e) => {
        if (e.type === 'credentials-changed') this.cache.clear();
      });
    }
  }

  async authenticate(username: string, password: string, address: string, opts: AuthOptions = {}): Promise<AuthResult> {
    // A name or password longer than any account can have is wrong without a look, and is not
    // counted: each counted failure writes the name into two throttle rows' keys, so 64 KB names
    // (POST /api/login takes 64 KB bodies) grew the database ~1000 times faster than real guesses,
    // and they locked the address out of every account. Nothing about any account is revealed.
    if (username.length > MAX_USERNAME_LENGTH || password.length > MAX_PASSWORD_LENGTH) return { ok: false, reason: 'invalid' };
    // The pair's failures, then the address's: an address blocked for guessing across accounts
    // lets through only accounts that logged in from it before (throttle.ts); for the others
    // nothing is checked. Counted in the store, so the limits hold across processes.
    const throttle = await this.throttle.check(username, address);
    // Attempts from one address with the same user name and password while one is under way are
    // one guess, not several: they wait for its reservation (below) and share its argon2 run
    // (verifyOnce) instead of each taking a count. Its reservation may be what brought the count
    // to the limit, so such an attempt is not refused here; it goes straight to that one's answer.
    // (Computed only when needed: a poll answered from the credential cache pays nothing for it.)
    const reservingKey = () => `${this.cache.keyOf(username, password)}\0${address}`;
    const joinOnly = throttle.wait > 0;
    if (joinOnly && !this.reserving.has(reservingKey())) return { ok: false, reason: 'throttled', retryAfter: throttle.wait };
    // An app password is looked up by its hash alone, never by the user name, so the lookup takes
    // the same time whether the account exists or not; it is read from the store on every request
    // (cached only until any write, by any process), so a revoked device gets 401 at once. A hash
    // of another user's device, or no device, goes on as an account password: the failure is
    // counted below like any other.
    const key = opts.devices && !joinOnly ? appPasswordKey(password) : null;
    if (key !== null) {
      const found = await this.store.findDeviceByToken(appPasswordHash(key));
      if (found && found.user.username === username) {
        await this.succeeded(username, address, throttle);
        this.touch(found.device, opts.userAgent);
        return { ok: true, user: found.user, credentialVersion: 0, device: found.device };
      }
    }
    const creds = await this.store.getCredentials(username);
    let ok = !joinOnly && creds !== null && this.cache.has(username, password, creds.credentialVersion, creds.user.id);
    let reservation: Reservation | undefined;
    if (!ok) {
      // The attempt is counted before argon2 runs, not after it fails: a check read earlier is
      // ~50 ms stale by then, so concurrent wrong guesses all passed it (throttle.ts reserve). A
      // credential-cache hit (above) was verified already and writes nothing, as polls must not.
      // A store that cannot write (full disk) does not refuse the login: the attempt goes on
      // uncounted and its failure is recorded, if it can be, as before.
      // An attempt joining one under way with the same credentials (above) takes no count of its
      // own, so a client's first burst on several connections is not refused for its own
      // reservations. Each still counts as its own failure, afterwards, as before: that lets no
      // further password be tried.
      const rkey = reservingKey();
      const leading = this.reserving.get(rkey);
      let mine: Promise<Reservation | undefined> | undefined;
      if (leading) {
        const shared = await leading;
        if (shared && shared.wait > 0) return { ok: false, reason: 'throttled', retryAfter: shared.wait };
      } else if (joinOnly) {
        // The one it would have joined has ended since: refused by the check, as any other.
        return { ok: false, reason: 'throttled', retryAfter: throttle.wait };
      } else {
        mine = this.throttle.reserve(username, address, throttle).catch(() => undefined);
        this.reserving.set(rkey, mine);
      }
      try {
        reservation = mine && (await mine);
        if (reservation && reservation.wait > 0) return { ok: false, reason: 'throttled', retryAfter: reservation.wait };
        // Unknown users still cost one argon2 run (against a fixed dummy hash) so that response
        // times do not reveal which user names exist.
        ok = await this.verifyOnce(username, password, creds?.passwordHash ?? DUMMY_HASH);
      } finally {
        if (mine) this.reserving.delete(rkey);
      }
      if (!creds || !ok) {
        // Counted by the reservation already; without one (a shared attempt, or a store that
        // could not write), counted now.
        if (!reservation) await this.throttle.fail(username, address).catch(() => {}); // a full disk must not turn a wrong password into a 500
        return { ok: false, reason: 'invalid' };
      }
      this.cache.remember(username, password, creds.credentialVersion, creds.user.id);
    }
    await this.succeeded(username, address, throttle, reservation);
    if (opts.devices && ((await this.store.getDevicePolicy(creds!.user.id)) ?? this.devicePasswordsRequired)) {
      return { ok: false, reason: 'device-password-required' };
    }
    return { ok: true, user: creds!.user, credentialVersion: creds!.credentialVersion, device: null };
  }

  /** Clears the pair's failures; a store that cannot write (full disk) must not refuse a login. */
  private async succeeded(username: string, address: string, state: ThrottleState, reservation?: Reservation): Promise<void> {
    await this.throttle.succeed(username, address, state, Date.now(), reservation).catch(() => {});
  }

  /**
   * Records the device's last use and client, at most once a minute per device: a poll must not
   * write. The stored time counts too, so several processes together write about as rarely.
   */
  private touch(device: Device, userAgent: string | undefined): void {
    const now = Date.now();
    // Written by this process within the minute (the common case of a polling client): done.
    if (this.touched.has(device.id)) return;
    if (device.lastUsedAt && now - Date.parse(device.lastUsedAt) < TOUCH_INTERVAL_MS) {
      // Written by another process (or before a restart): remember it until its minute is over.
      this.touched.set(device.id, now, { ttl: Math.max(1, Math.min(TOUCH_INTERVAL_MS, TOUCH_INTERVAL_MS - (now - Date.parse(device.lastUsedAt)))) });
      return;
    }
    this.touched.set(device.id, now);
    // A failed write (full disk) must not fail the request it describes.
    this.store.touchDevice(device.id, new Date(now).toISOString(), userAgent?.slice(0, 200) ?? null).catch(() => {});
  }

  // Requests that arrive together with the same uncached credentials (a client's first burst on
  // several connections) share one argon2 run; each still counts as its own success or failure.
  private readonly inflight = new Map<string, Promise<boolean>>();
  /** The reservation (throttle.ts reserve) of the attempt under way per credentials and address. */
  private readonly reserving = new Map<string, Promise<Reservation | undefined>>();

  private verifyOnce(username: string, password: string, hash: string): Promise<boolean> {
    const key = `${this.cache.keyOf(username, password)}\0${hash}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = verifyPassword(hash, password).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}

// argon2id hash of a random string nobody knows, with the parameters of new hashes
// (passwords.ts HASH_OPTIONS) so an unknown user costs what a real one does; verifying against it
// always fails.
const DUMMY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$6lPMBBg0Y/eCwMbGSXf7zg$01SeQE+lLgE4Es4JKMEV+TB9Qank2dqhJ0cNeT98kdE';

// Verifies a user name and password once for every entry point (HTTP Basic on DAV, the web login
// form): throttle first, then the credential cache, then argon2.
import type { Store, User } from '../store/types.js';
import { CredentialCache } from './credential-cache.js';
import { LoginThrottle } from './throttle.js';
import { verifyPassword } from './passwords.js';

export type AuthResult =
  | { ok: true; user: User; credentialVersion: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfter: number };

export class Authenticator {
  readonly cache: CredentialCache;
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly store: Store,
    opts: { cacheSeconds: number; failureLimit: number; throttleSeconds: number; addressFailureLimit?: number },
  ) {
    this.cache = new CredentialCache(opts.cacheSeconds);
    this.throttle = new LoginThrottle(opts.failureLimit, opts.throttleSeconds, opts.addressFailureLimit);
  }

  async authenticate(username: string, password: string, address: string): Promise<AuthResult> {
    const retryAfter = this.throttle.retryAfter(username, address);
    if (retryAfter > 0) return { ok: false, reason: 'throttled', retryAfter };
    // An address blocked for guessing across accounts: only accounts that logged in from it
    // before get through (throttle.ts); for the others nothing is checked.
    const addressWait = this.throttle.addressRetryAfter(username, address);
    if (addressWait > 0) return { ok: false, reason: 'throttled', retryAfter: addressWait };
    const creds = await this.store.getCredentials(username);
    if (creds && this.cache.has(username, password, creds.credentialVersion, creds.user.id)) {
      this.throttle.succeed(username, address);
      return { ok: true, user: creds.user, credentialVersion: creds.credentialVersion };
    }
    // Unknown users still cost one argon2 run (against a fixed dummy hash) so that response
    // times do not reveal which user names exist.
    const ok = await this.verifyOnce(username, password, creds?.passwordHash ?? DUMMY_HASH);
    if (!creds || !ok) {
      this.throttle.fail(username, address);
      return { ok: false, reason: 'invalid' };
    }
    this.throttle.succeed(username, address);
    this.cache.remember(username, password, creds.credentialVersion, creds.user.id);
    return { ok: true, user: creds.user, credentialVersion: creds.credentialVersion };
  }

  // Requests that arrive together with the same uncached credentials (a client's first burst on
  // several connections) share one argon2 run; each still counts as its own success or failure.
  private readonly inflight = new Map<string, Promise<boolean>>();

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

// Feed tokens (SPEC "Subscription feeds", "Accounts and security"): 32 random bytes (256 bits)
// as base64url, shown once; only the SHA-256 of the token is stored and looked up. A fast hash is
// right here — unlike a password, the token has 256 bits of entropy, so there is nothing to
// brute-force, and a lookup must cost the same for any presented string.
import { createHash, randomBytes } from 'node:crypto';
import { absoluteUrl, feedPath } from '../urls.js';

export const TOKEN_BYTES = 32;

export function newFeedToken(): { token: string; hash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashFeedToken(token) };
}

/** Hashes any presented string, whatever its length or alphabet: no early return before this. */
export function hashFeedToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The https:// (or http://) URL of a feed and its webcal:// twin. */
export function feedUrls(baseUrl: string, token: string): { url: string; webcal: string } {
  const url = absoluteUrl(withoutTrailingSlashes(baseUrl), feedPath(token));
  return { url, webcal: url.replace(/^https?:\/\//i, 'webcal://') };
}

/**
 * `s` without the slashes it ends with. A loop rather than .replace(/\/+$/, ''): that expression
 * restarts at every slash of a long run that is not at the end, quadratic in a Host header
 * of 16 KB of slashes (160 ms).
 */
export function withoutTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2f) end--;
  return s.slice(0, end);
}

// App passwords of devices (issue 16): 256 random bits, shown once, stored only as a SHA-256
// hash. A fast hash is enough here, unlike for account passwords (argon2id, passwords.ts): the
// secret is random, so there is nothing to guess from the hash by dictionary, and 2^256 tries
// are out of reach; a device's requests therefore never wait on argon2.
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'; // RFC 4648 §6 base32, lower case
const GROUP = 4;
/** 32 bytes = 256 bits = 52 base32 characters. */
const BYTES = 32;
const CHARS = Math.ceil((BYTES * 8) / 5);

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A new app password: base32 in groups of four, e.g. "k3mq-7xza-…" (13 groups). */
export function newAppPassword(): string {
  const raw = base32(randomBytes(BYTES));
  const groups: string[] = [];
  for (let i = 0; i < raw.length; i += GROUP) groups.push(raw.slice(i, i + GROUP));
  return groups.join('-');
}

/**
 * The stored form of an app password: the SHA-256 (base64url) of its canonical form (see
 * appPasswordKey). Only the hash is stored; the password is shown once.
 */
export function appPasswordHash(password: string): string {
  return createHash('sha256').update(appPasswordKey(password) ?? password).digest('base64url');
}

/** Whether a presented password has the shape of an app password (only those are looked up). */
export function looksLikeAppPassword(password: string): boolean {
  return appPasswordKey(password) !== null;
}

// 1 for the characters of an app password (either case), 2 for the separators that are ignored.
const CLASS = new Uint8Array(128);
for (const c of ALPHABET) {
  CLASS[c.charCodeAt(0)] = 1;
  CLASS[c.toUpperCase().charCodeAt(0)] = 1;
}
CLASS['-'.charCodeAt(0)] = 2;
CLASS[' '.charCodeAt(0)] = 2;

/**
 * The canonical form of a presented app password — lower case, without dashes and spaces — or
 * null when it is not shaped like one (52 base32 characters). An app password typed without its
 * dashes, in capitals or with spaces is the same password. Called on every DAV request: one pass
 * over at most 104 characters, no regular expression.
 */
export function appPasswordKey(password: string): string | null {
  if (password.length < CHARS || password.length > 2 * CHARS) return null;
  let count = 0;
  let plain = true;
  for (let i = 0; i < password.length; i++) {
    const code = password.charCodeAt(i);
    const cls = code < 128 ? CLASS[code]! : 0;
    if (cls === 0) return null;
    if (cls === 2) {
      plain = false;
      continue;
    }
    count++;
    if (code >= 65 && code <= 90) plain = false;
  }
  if (count !== CHARS) return null;
  if (plain) return password;
  let out = '';
  for (let i = 0; i < password.length; i++) {
    const code = password.charCodeAt(i);
    if (CLASS[code] === 2) continue;
    out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : password[i];
  }
  return out;
}

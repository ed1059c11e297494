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
 * The stored form of a presented password: the SHA-256 (base64url) of its canonical form. An app
 * password typed without its dashes, in capitals or with spaces is the same password; anything
 * that is not shaped like one is hashed as it is (and will not match a device).
 */
export function appPasswordHash(password: string): string {
  return createHash('sha256').update(canonical(password)).digest('base64url');
}

/** Whether a presented password has the shape of an app password (only those are looked up). */
export function looksLikeAppPassword(password: string): boolean {
  return canonical(password) !== password || (password.length === CHARS && /^[a-z2-7]+$/.test(password));
}

/** Lower case without dashes and spaces, when that leaves exactly an app password's characters. */
function canonical(password: string): string {
  if (password.length > 2 * CHARS) return password;
  let out = '';
  for (const ch of password.toLowerCase()) {
    if (ch === '-' || ch === ' ') continue;
    if (!ALPHABET.includes(ch)) return password;
    out += ch;
  }
  return out.length === CHARS ? out : password;
}

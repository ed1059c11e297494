// App passwords (issue 16, src/auth/app-passwords.ts): 256 random bits in base32 groups, one
// canonical form for hashing (dashes, spaces and capitals do not matter), and only passwords of
// that shape are looked up as device passwords.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { appPasswordHash, looksLikeAppPassword, newAppPassword } from '../../src/auth/app-passwords.js';

test('a new app password: 52 base32 characters (260 bits of text for 256 random bits) in groups of four, never twice the same', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const p = newAppPassword();
    assert.match(p, /^[a-z2-7]{4}(-[a-z2-7]{4}){11}-[a-z2-7]{4}$/);
    assert.is(p.replace(/-/g, '').length, 52);
    seen.add(p);
  }
  assert.is(seen.size, 2000);
  // Every character of the alphabet occurs (a biased encoder would leave some out).
  const all = [...seen].join('').replace(/-/g, '');
  assert.is(new Set(all).size, 32);
});

test('the hash is SHA-256 of the canonical form: dashes, spaces and capitals do not matter', () => {
  const p = newAppPassword();
  const canonical = p.replace(/-/g, '');
  assert.is(appPasswordHash(p), createHash('sha256').update(canonical).digest('base64url'));
  assert.is(appPasswordHash(canonical.toUpperCase()), appPasswordHash(p));
  assert.is(appPasswordHash(p.replace(/-/g, ' ')), appPasswordHash(p));
  assert.is.not(appPasswordHash(p.slice(0, -1) + (p.endsWith('a') ? 'b' : 'a')), appPasswordHash(p));
});

test('only passwords shaped like app passwords are looked up', () => {
  const p = newAppPassword();
  assert.ok(looksLikeAppPassword(p));
  assert.ok(looksLikeAppPassword(p.replace(/-/g, '')));
  assert.ok(looksLikeAppPassword(p.toUpperCase()));
  for (const other of ['correct horse battery', 'short', '', 'x'.repeat(100_000), `${p}-abcd`, p.replace(/[a-z]/, '1')]) {
    assert.not.ok(looksLikeAppPassword(other), other.slice(0, 40));
  }
});

test.run();

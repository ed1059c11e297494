// What every section of the store contract shares: the suite with a fresh store per test, and
// small builders. Nothing here may depend on a particular backend.
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collection, Store, User } from '../../../src/store/types.js';

/** Opens a fresh, empty store (migrated, no users). */
export type StoreFactory = () => Promise<Store>;

/** A uvu suite named "store contract: <backend> / <section>" whose tests each get a fresh store, closed after. */
export function contractSuite(backend: string, section: string, makeStore: StoreFactory): Test<{ store: Store }> {
  const test = suite<{ store: Store }>(`store contract: ${backend} / ${section}`, { store: undefined as unknown as Store });
  test.before.each(async (ctx) => {
    ctx.store = await makeStore();
  });
  test.after.each(async (ctx) => {
    await ctx.store.close();
  });
  return test;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Asserts that p rejects with an instance of cls (a domain error of src/store/errors.ts). */
export async function rejects<E extends Error>(p: Promise<unknown>, cls: ErrorClass, check?: (e: E) => void): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    check?.(err as E);
    return;
  }
  assert.unreachable(`expected ${cls.name}`);
}

export const ics = (uid: string, summary = 'x'): Buffer =>
  Buffer.from(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);

/** Puts a calendar object (uid non-null) or a plain resource (uid null). */
export function put(store: Store, c: Collection, name: string, uid: string | null, summary = 'x') {
  return store.putObject(c.id, {
    name,
    data: uid === null ? Buffer.from(summary) : ics(uid, summary),
    contentType: uid === null ? 'application/octet-stream' : 'text/calendar; charset=utf-8',
    uid,
    componentType: uid === null ? null : 'VEVENT',
  });
}

export const user = (store: Store, username: string): Promise<User> => store.createUser({ username, passwordHash: `$argon2id$${username}` });
export const calendar = (store: Store, owner: User, uri: string): Promise<Collection> => store.createCollection(owner.id, { uri, kind: 'calendar' });

// First run (src/bootstrap.ts): two starts at once on one empty database — two processes on one
// PostgreSQL database, simulated here by two calls on one store, which interleave at their argon2
// hashing as the processes would — create one "admin", print its password once, and neither
// start fails (the second one's createUser meets a Conflict: another process was first).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { bootstrapAdmin } from '../../src/bootstrap.js';
import type { Logger } from '../../src/log.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

test('two bootstraps at once: one admin, one password printed, no failure', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const printed: string[] = [];
    await Promise.all([bootstrapAdmin(store, quiet, (l) => printed.push(l)), bootstrapAdmin(store, quiet, (l) => printed.push(l))]);
    assert.is(await store.countUsers(), 1);
    assert.is(printed.length, 1);
    const admin = await store.getUser('admin');
    assert.ok(admin?.isAdmin);
    // A third start finds the user and does nothing.
    await bootstrapAdmin(store, quiet, (l) => printed.push(l));
    assert.is(printed.length, 1);
  } finally {
    await store.close();
  }
});

test.run();

// uvu swallows an error thrown in a `before` hook: the suite prints "(0 / N)", no test runs, and
// the run still exits 0 — a broken setup would pass CI. `guardedBefore` keeps the setup's error
// and makes every test of the suite fail with it instead.
import type { Test } from 'uvu';

export function guardedBefore<T extends { setupError?: unknown }>(s: Test<T>, setup: (ctx: T) => Promise<void> | void): void {
  s.before(async (ctx) => {
    try {
      await setup(ctx);
    } catch (err) {
      ctx.setupError = err;
    }
  });
  s.before.each((ctx) => {
    if (ctx.setupError !== undefined) throw ctx.setupError;
  });
}

// Long loops on the server (an import, a feed or export of many entries) give the event loop back
// now and then, so that other requests wait tens of milliseconds at most (issue 11 item 4).
// better-sqlite3 is synchronous and its Promise wrappers resolve at once, so an `await` in such a
// loop never lets anything else run; only a macrotask (setImmediate) does.

/** The longest stretch of work, in ms, before pending I/O callbacks get their turn. */
export const SLICE_MS = 10;

/**
 * A function to call often during long work: it returns undefined at once while the current
 * slice is shorter than `ms`, else a promise that resolves after the event loop has run what is
 * pending (setImmediate runs after I/O callbacks, so waiting requests are read and answered).
 */
export function slicer(ms = SLICE_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < ms) return undefined;
    return new Promise<void>((resolve) => setImmediate(() => { since = performance.now(); resolve(); }));
  };
}

// How many uploads (.ics and .vcf imports) run at once. An import holds about 23 times its size
// in heap while it is split and stored (a 9 MB file of 100,000 events: 210 MB), so six 32 MB
// uploads at once from one user would pass Node's default heap limit (~4 GB) and end the process
// for everyone. One import per user and a few in all; the others are refused before their body is
// read. One gate per app (created in app.ts), shared by both import routes.
import { ApiError } from '../http/errors.js';

/** Seconds a refused upload is told to wait (Retry-After). */
const RETRY_AFTER_SECONDS = 10;

export class ImportGate {
  private readonly users = new Set<number>();

  constructor(readonly maxRunning = 2) {}

  /**
   * Runs `work` as the user's import, or throws 429 `busy` (with Retry-After, set on `ctx`)
   * when that user has an import running or maxRunning imports run.
   */
  async run<T>(ctx: { set(field: string, value: string): void }, userId: number, work: () => Promise<T>): Promise<T> {
    if (this.users.has(userId) || this.users.size >= this.maxRunning) {
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      // Don't make the client upload a body we will not read; close after answering.
      ctx.set('Connection', 'close');
      const why = this.users.has(userId) ? 'your other import is still running' : 'the server is busy with other imports';
      throw new ApiError(429, 'busy', `${why}; try again when it has finished`);
    }
    this.users.add(userId);
    try {
      return await work();
    } finally {
      this.users.delete(userId);
    }
  }
}

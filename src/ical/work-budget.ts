// How much processor time the evaluation of calendar objects in one request may take, and
// when it must let other requests run (issue 11: one hostile object froze the event loop for a
// minute). One WorkBudget belongs to one request (created with its QueryOptions); each
// QueryObject starts a new object's account. Recurrence walks (instances.ts) call `check` at
// regular points: it throws max-instances once the object has used `maxObjectMs`, and says when
// the current slice is used up, so that an async driver (QueryObject.prepare, the report loops)
// can `pause` — a turn of the event loop — before going on. Time, not steps, because the cost
// of a step differs a hundredfold between arithmetic and ical.js's iterator.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { QueryError } from './query-errors.js';

/** Work done between two turns of the event loop; other requests wait at most about this. */
export const DEFAULT_SLICE_MS = 8;

export class WorkBudget {
  private sliceStart = performance.now();
  private objectStart = this.sliceStart;
  /** Time the current object used in earlier slices. */
  private objectSpent = 0;
  private label = 'a calendar object';

  constructor(
    readonly maxObjectMs: number,
    readonly sliceMs: number = DEFAULT_SLICE_MS,
  ) {}

  /** Starts the account of one object's evaluation. */
  startObject(label?: string): void {
    this.objectSpent = 0;
    this.objectStart = performance.now();
    this.label = label ?? 'a calendar object';
  }

  /**
   * Throws QueryError max-instances when the current object has used its time; otherwise true
   * when the current slice is used up (the caller should pause when it can).
   */
  check(): boolean {
    const now = performance.now();
    if (this.objectSpent + (now - this.objectStart) > this.maxObjectMs) {
      throw new QueryError('max-instances', `Evaluating ${this.label} needs more than the ${this.maxObjectMs} ms of processor time allowed per object (SUNDIAL_MAX_EVALUATION_MS)`);
    }
    return now - this.sliceStart >= this.sliceMs;
  }

  /** One turn of the event loop; the pause does not count towards the object's time. */
  async pause(): Promise<void> {
    this.objectSpent += performance.now() - this.objectStart;
    await nextTurn();
    this.sliceStart = this.objectStart = performance.now();
  }

  /** Pauses when the current slice is used up (between objects, where nothing is half done). */
  async maybePause(): Promise<void> {
    if (performance.now() - this.sliceStart >= this.sliceMs) await this.pause();
  }
}

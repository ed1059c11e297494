// The names people give things (a calendar, an address book, a person or group): shown in every
// client, written into XML and into iCalendar CN parameters, listed tab-separated by the CLI.
// C0 and C1 controls have no place in them: XML 1.0 cannot even carry most of them, so a
// calendar named "a\u0001b" came out of PROPFIND as "a\uFFFDb".
import { invalid } from './errors.js';

export const MAX_NAME_LENGTH = 200;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** `value` trimmed, 1 to MAX_NAME_LENGTH characters without control characters; else 400 naming `what`. */
export function checkName(value: unknown, what: string): string {
  const n = typeof value === 'string' ? value.trim() : '';
  if (n === '' || n.length > MAX_NAME_LENGTH || CONTROL.test(n)) throw invalid(`${what} has 1 to ${MAX_NAME_LENGTH} characters, without control characters`);
  return n;
}

// RFC 5545 §3.1 unfolding, and a bound on how many physical lines an object may be folded over.
// Every pass over an object (the limits check, the nesting check, ical.js's parse) pays a string
// slice per continuation line, whatever the bytes: a 10 MB event folded over 2.5 million lines of
// one character held the event loop ~1.4 s at PUT, where the same 10 MB folded as clients fold it
// (at 75 octets, RFC 5545 §3.1) is ~136,000 lines. With the bound a hostile object costs at most
// about what a well-folded one of the same size does.

/** Fewest octets a continuation line is allowed on average: clients fold at 75 (some at 72 or 60). */
const OCTETS_PER_CONTINUATION = 48;

/**
 * Continuation lines allowed in an object of `bytes` UTF-8 octets with at most `properties`
 * properties: each folded property's last continuation may be short, the others are long.
 */
export function maxContinuationLines(bytes: number, properties: number): number {
  return Math.floor(bytes / OCTETS_PER_CONTINUATION) + properties;
}

/**
 * Continuation lines (a line break followed by a space or tab) in `text`, counted up to `max` + 1:
 * an indexOf scan without slicing, so counting a hostile text costs a few milliseconds.
 */
export function countContinuationLines(text: string, max: number): number {
  let n = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    const c = text.charCodeAt(nl + 1);
    if ((c === 0x20 || c === 0x09) && ++n > max) break;
  }
  return n;
}

/** The text unfolded: CRLF (or LF) followed by one space or tab continues the line. */
export function unfold(text: string): string {
  return text.replace(/\r?\n[ \t]/g, '');
}

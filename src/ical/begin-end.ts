// Recognises a BEGIN:/END: content line (RFC 5545 §3.4, §3.6) in one linear pass. Written out
// rather than as /^(BEGIN|END):[ \t]*(.*?)[ \t]*$/i: that expression's three adjacent quantifiers
// over the same spaces backtrack cubically when the line does not end where `$` wants it to
// (BEGIN: + thousands of spaces + U+2028 froze a busy-only feed for 19 s, issue 11 item 3).

export interface BeginEnd {
  begin: boolean;
  /** The component name, upper-cased, without surrounding spaces or tabs. */
  type: string;
}

const isBlank = (c: number) => c === 0x20 || c === 0x09;
// The characters a `$` or `.` of a JavaScript regular expression treats as line ends; a line
// holding one is not a BEGIN/END line (as the expression above decided).
const isLineEnd = (c: number) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;

/** BEGIN or END and the component name of one unfolded line, or null for any other line. */
export function beginOrEnd(line: string): BeginEnd | null {
  let begin: boolean;
  let i: number;
  if (line.length >= 6 && line.slice(0, 6).toUpperCase() === 'BEGIN:') {
    begin = true;
    i = 6;
  } else if (line.length >= 4 && line.slice(0, 4).toUpperCase() === 'END:') {
    begin = false;
    i = 4;
  } else return null;
  let end = line.length;
  for (let k = i; k < end; k++) if (isLineEnd(line.charCodeAt(k))) return null;
  while (i < end && isBlank(line.charCodeAt(i))) i++;
  while (end > i && isBlank(line.charCodeAt(end - 1))) end--;
  return { begin, type: line.slice(i, end).toUpperCase() };
}

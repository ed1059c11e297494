// CARDDAV:address-data in a REPORT's DAV:prop (RFC 6352 §10.4): which properties of each card
// to return. `<CR:allprop/>` (or no children) returns the card as stored; `<CR:prop name="EMAIL"/>`
// elements return BEGIN/END, VERSION and the named properties only, `novalue="yes"` without their
// values (§10.4.2). The selected lines are copied as stored (folding kept), in one linear pass.
import { parseContentLine, scanLines } from './card.js';

export interface AddressDataProp {
  /** Upper-cased property name; it selects the property in any group. */
  name: string;
  novalue: boolean;
}

export interface AddressDataSelection {
  /** True: the whole card (allprop, or no prop elements). */
  all: boolean;
  props: AddressDataProp[];
  /** The version asked by the element's `version` attribute, null for "as stored". */
  version: '3.0' | '4.0' | null;
}

export const WHOLE_CARD: AddressDataSelection = { all: true, props: [], version: null };

// Properties every returned card keeps, so that it is still a vCard (RFC 6350 §6.7.9, §6.1.1).
const ALWAYS = new Set(['BEGIN', 'END', 'VERSION']);

/** The card text `selection` asks for, from the stored `text` (one validated vCard). */
export function selectAddressData(text: string, selection: AddressDataSelection): string {
  if (selection.all) return text;
  const wanted = new Map<string, boolean>();
  for (const p of selection.props) wanted.set(p.name.toUpperCase(), (wanted.get(p.name.toUpperCase()) ?? true) && p.novalue);
  const out: string[] = [];
  scanLines(text, { maxLineLength: Number.MAX_SAFE_INTEGER }, (l) => {
    const p = parseContentLine(l.text, l.line);
    const always = ALWAYS.has(p.name) && p.group === null;
    const novalue = wanted.get(p.name);
    if (!always && novalue === undefined) return;
    if (novalue === true && !always) {
      out.push(l.text.slice(0, p.colon + 1) + '\r\n');
      return;
    }
    const raw = text.slice(l.start, l.end);
    out.push(raw.endsWith('\n') ? raw : raw + '\r\n');
  });
  return out.join('');
}

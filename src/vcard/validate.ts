// What a vCard resource must be to be stored in an address book (RFC 6352 §5.1, §6.3.2.1):
// one vCard 3.0 (RFC 2426) or 4.0 (RFC 6350) object, well formed, with UID, FN and VERSION.
// Checked in one linear pass (card.ts) with bounded work: the size, the number of properties
// and the length of one logical line are limits from the configuration (src/config.ts).
// ical.js is not used: it parses the whole card into jCard (slower, and it accepts cards that
// RFC 6352 refuses, such as several cards in one resource).
import { parseContentLine, scanLines, unescapeText } from './card.js';
import { VCardError } from './errors.js';

export interface VCardLimits {
  /** Largest card, in UTF-8 bytes (CARDDAV:max-resource-size). */
  maxResourceSize: number;
  /** Most content lines between BEGIN:VCARD and END:VCARD. */
  maxProperties: number;
  /** Longest logical (unfolded) line, in characters; an inline PHOTO is one such line. */
  maxLineLength: number;
}

/** The defaults of the matching options in src/config.ts (test/unit/vcard-validate checks they agree). */
export const DEFAULT_VCARD_LIMITS: VCardLimits = { maxResourceSize: 10 * 1024 * 1024, maxProperties: 2000, maxLineLength: 4 * 1024 * 1024 };

/** The limits of one card from the configuration (src/config.ts). */
export function vcardLimitsOf(config: { maxResourceSize: number; maxCardProperties: number; maxCardLineLength: number }): VCardLimits {
  return { maxResourceSize: config.maxResourceSize, maxProperties: config.maxCardProperties, maxLineLength: config.maxCardLineLength };
}

/** Longest UID accepted (RFC 6350 §6.7.6 sets none; as for calendar objects). */
export const MAX_VCARD_UID_LENGTH = 1024;

export interface ValidVCard {
  /** The UID value as written (trimmed), which no-uid-conflict compares. */
  uid: string;
  /** The formatted name, unescaped. */
  fn: string;
  version: '3.0' | '4.0';
}

// C0 controls other than HTAB, and DEL: RFC 6350 §3.3 allows none of them in a content line
// (NUL in particular ends strings in other readers of the same file). One character class: linear.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The size of `text` in UTF-8 bytes, without building the encoding. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1; // surrogates: 2 units → 4 bytes
  }
  return n;
}

/**
 * Checks that `text` is exactly one vCard 3.0 or 4.0 with UID, FN and VERSION, within `limits`.
 * Throws VCardError: max-resource-size past the size; supported-address-data for another
 * version; valid-address-data for everything else (with the line number where there is one).
 */
export function validateVCard(text: string, limits: VCardLimits = DEFAULT_VCARD_LIMITS): ValidVCard {
  if (text.length > limits.maxResourceSize || utf8Length(text) > limits.maxResourceSize) {
    throw new VCardError('max-resource-size', `the vCard is larger than ${limits.maxResourceSize} bytes`);
  }
  const invalid = (why: string, line: number | null = null) => new VCardError('valid-address-data', why, line);
  let state: 'before' | 'in' | 'after' = 'before';
  let properties = 0;
  let version: string | null = null;
  let uid: string | null = null;
  let fn: string | null = null;
  scanLines(text, { maxLineLength: limits.maxLineLength }, (l) => {
    if (CONTROL.test(l.text)) throw invalid('a control character (such as NUL) in a content line', l.line);
    const p = parseContentLine(l.text, l.line);
    const isBegin = p.name === 'BEGIN' && p.group === null;
    const isEnd = p.name === 'END' && p.group === null;
    const kind = (isBegin || isEnd) ? p.value.trim().toUpperCase() : '';
    if (state === 'after') throw invalid(isBegin ? 'several vCards in one resource (one card per resource, RFC 6352 §5.1)' : 'content after END:VCARD', l.line);
    if (state === 'before') {
      if (!isBegin || kind !== 'VCARD') throw invalid('a vCard must begin with BEGIN:VCARD', l.line);
      state = 'in';
      return;
    }
    if (isBegin) throw invalid(kind === 'VCARD' ? 'a vCard nested in a vCard' : `BEGIN:${kind} has no place in a vCard`, l.line);
    if (isEnd) {
      if (kind !== 'VCARD') throw invalid(`END:${kind} where END:VCARD was expected`, l.line);
      state = 'after';
      return;
    }
    if (++properties > limits.maxProperties) throw invalid(`more than ${limits.maxProperties} properties in one vCard (server limit)`, l.line);
    if (p.name === 'VERSION') {
      if (version !== null) throw invalid('VERSION appears more than once', l.line);
      version = p.value.trim();
    } else if (p.name === 'UID') {
      if (uid !== null) throw invalid('UID appears more than once', l.line);
      uid = p.value.trim();
      if (uid === '') throw invalid('UID is empty', l.line);
      if (uid.length > MAX_VCARD_UID_LENGTH) throw invalid(`UID longer than ${MAX_VCARD_UID_LENGTH} characters`, l.line);
    } else if (p.name === 'FN' && fn === null) {
      fn = unescapeText(p.value);
    }
  });
  if (state === 'before') throw invalid('no BEGIN:VCARD');
  if (state === 'in') throw invalid('no END:VCARD');
  if (version === null) throw invalid('VERSION is missing (RFC 6350 §6.7.9)');
  if (version !== '3.0' && version !== '4.0') throw new VCardError('supported-address-data', `vCard version ${String(version).slice(0, 20)} is not supported (3.0 and 4.0 are)`);
  if (uid === null) throw invalid('UID is missing (RFC 6352 §5.1 requires one)');
  if (fn === null) throw invalid('FN is missing (RFC 6350 §6.2.1)');
  return { uid, fn, version };
}

/** Media types a vCard may be sent as (RFC 6350 §10.1; text/x-vcard and text/directory by older clients). */
const VCARD_TYPES = new Set(['text/vcard', 'text/x-vcard', 'text/directory']);

/**
 * Checks a request's Content-Type for a vCard PUT (RFC 6352 §6.3.2.1 supported-address-data):
 * none, or text/vcard (text/x-vcard, text/directory) with, if given, version 3.0 or 4.0 and
 * charset UTF-8. Returns the version the type names, if any.
 */
export function checkVCardMediaType(contentType: string | null | undefined): '3.0' | '4.0' | null {
  if (contentType === null || contentType === undefined || contentType.trim() === '') return null;
  const parts = contentType.split(';');
  const type = parts[0]!.trim().toLowerCase();
  if (!VCARD_TYPES.has(type)) throw new VCardError('supported-address-data', `media type ${type.slice(0, 60)} is not a vCard (text/vcard)`);
  let version: '3.0' | '4.0' | null = null;
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (key === 'version') {
      if (value !== '3.0' && value !== '4.0') throw new VCardError('supported-address-data', `vCard version ${value.slice(0, 20)} is not supported (3.0 and 4.0 are)`);
      version = value;
    } else if (key === 'charset' && value.toLowerCase() !== 'utf-8' && value.toLowerCase() !== 'us-ascii') {
      throw new VCardError('supported-address-data', `charset ${value.slice(0, 40)} is not supported (UTF-8 is)`);
    }
  }
  return version;
}

/** The text of a vCard body: strict UTF-8 (RFC 6350 §3.1), a leading byte-order mark dropped. */
export function decodeVCard(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new VCardError('valid-address-data', 'the vCard is not valid UTF-8');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

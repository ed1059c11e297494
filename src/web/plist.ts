// Small pieces of Apple property lists (the .mobileconfig of apple-profile.ts): escaped strings
// and stable payload UUIDs.
import { createHash } from 'node:crypto';

export const plistEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<key>k</key><string>v</string>` with the value escaped. */
export const plistString = (k: string, v: string) => `<key>${k}</key><string>${plistEscape(v)}</string>`;

/** A stable UUID derived from a name, so re-downloading replaces the payload instead of adding one. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

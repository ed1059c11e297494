// An Apple configuration profile (.mobileconfig) with CalDAV and CardDAV (apple-carddav.ts) payloads, so an
// iPhone or Mac sets the account up in one tap (CLIENTS.md §1.4: CalDAVHostName, CalDAVPort,
// CalDAVUseSSL, CalDAVUsername, CalDAVPrincipalURL). No password inside: the device asks for it;
// except in a device's profile (issue 16) when the user ticked it: CalDAVPassword then holds that
// device's app password, and the identifiers name the device, so profiles of two devices never
// replace each other.
import { createHash } from 'node:crypto';
import { absoluteUrl, principalPath } from '../urls.js';
import { cardDavPayload } from './apple-carddav.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A stable UUID derived from a name, so re-downloading replaces the profile instead of adding one. */
function uuidFrom(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export function appleProfile(opts: { baseUrl: string; username: string; device?: { id: number; name: string; password?: string } }): string {
  const url = new URL(opts.baseUrl);
  const ssl = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : ssl ? 443 : 80;
  const d = opts.device;
  const id = `sundial.${url.hostname}.${opts.username}${d ? `.device${d.id}` : ''}`;
  const label = d ? `${opts.username}, ${d.name}` : opts.username;
  const principal = absoluteUrl(url.origin, principalPath(opts.username));
  const str = (k: string, v: string) => `<key>${k}</key><string>${esc(v)}</string>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      ${str('CalDAVAccountDescription', `Sundial (${label})`)}
      ${str('CalDAVHostName', url.hostname)}
      ${d?.password ? str('CalDAVPassword', d.password) : ''}
      <key>CalDAVPort</key><integer>${port}</integer>
      ${str('CalDAVPrincipalURL', principal)}
      <key>CalDAVUseSSL</key><${ssl ? 'true' : 'false'}/>
      ${str('CalDAVUsername', opts.username)}
      ${str('PayloadDescription', 'Configures your Sundial calendars')}
      ${str('PayloadDisplayName', `Sundial calendars (${label})`)}
      ${str('PayloadIdentifier', `${id}.caldav`)}
      ${str('PayloadType', 'com.apple.caldav.account')}
      ${str('PayloadUUID', uuidFrom(`${id}.caldav`))}
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
    ${cardDavPayload({ hostname: url.hostname, port, ssl, principalUrl: principal, username: opts.username, profileId: id })}
  </array>
  ${str('PayloadDisplayName', `Sundial (${label})`)}
  ${str('PayloadIdentifier', id)}
  <key>PayloadRemovalDisallowed</key><false/>
  ${str('PayloadType', 'Configuration')}
  ${str('PayloadUUID', uuidFrom(id))}
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

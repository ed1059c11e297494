// The CardDAV payload of the Apple configuration profile (issue 14 item 5): a
// com.apple.carddav.account dict beside the CalDAV one, so one tap sets up Contacts too. Keys as
// Apple's device-management reference lists them (developer.apple.com/documentation/
// devicemanagement/carddav): CardDAVHostName, CardDAVPort, CardDAVUseSSL, CardDAVUsername,
// CardDAVPrincipalURL, CardDAVAccountDescription. The principal URL is the same as CalDAV's: it
// carries addressbook-home-set (RFC 6352 §7.1.1). No password inside: the device asks for it.
import { plistString as str, stableUuid } from './plist.js';

export interface CardDavPayloadOptions {
  hostname: string;
  port: number;
  ssl: boolean;
  /** Absolute URL of the user's principal. */
  principalUrl: string;
  username: string;
  /** The profile's identifier; the payload's is `<id>.carddav`. */
  profileId: string;
}

export function cardDavPayload(o: CardDavPayloadOptions): string {
  const id = `${o.profileId}.carddav`;
  return `<dict>
      ${str('CardDAVAccountDescription', `Sundial contacts (${o.username})`)}
      ${str('CardDAVHostName', o.hostname)}
      <key>CardDAVPort</key><integer>${o.port}</integer>
      ${str('CardDAVPrincipalURL', o.principalUrl)}
      <key>CardDAVUseSSL</key><${o.ssl ? 'true' : 'false'}/>
      ${str('CardDAVUsername', o.username)}
      ${str('PayloadDescription', 'Configures your Sundial address books')}
      ${str('PayloadDisplayName', `Sundial contacts (${o.username})`)}
      ${str('PayloadIdentifier', id)}
      ${str('PayloadType', 'com.apple.carddav.account')}
      ${str('PayloadUUID', stableUuid(id))}
      <key>PayloadVersion</key><integer>1</integer>
    </dict>`;
}

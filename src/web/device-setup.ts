// What a new device needs to connect, shown once with its app password (issue 16): the server
// URL, the user name, and a QR code DAVx5 reads.
//
// DAVx5's login screen takes a URI as its Intent data (LoginActivity.loginInfoFromIntent in
// bitfireAT/davx5-ose core/src/main/kotlin/at/bitfire/davdroid/ui/setup/LoginActivity.kt): the
// schemes caldav/carddav become http, caldavs/carddavs/davx5 become https, and the user info
// "user:password" fills the user name and password (split at the first ":" after decoding, so
// the user name is percent-encoded); core/src/main/AndroidManifest.xml registers those schemes
// as BROWSABLE, so a phone's QR scanner hands the URI to DAVx5, and StandardLoginTypesProvider
// opens "login with URL" at once for davx5, caldavs, carddavs, http and https. davx5:// is used
// for https (it covers calendars and, later, contacts); a plain-http server gets caldav://,
// which DAVx5 maps back to http (it then shows the login-type page first).

export function davx5LoginUri(baseUrl: string, username: string, password: string): string {
  const url = new URL(baseUrl);
  const scheme = url.protocol === 'https:' ? 'davx5' : 'caldav';
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `${scheme}://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${url.host}${path}`;
}

/** The QR code of `text` as an SVG data URL (the page's CSP allows data: images). */
export async function qrDataUrl(text: string): Promise<string> {
  // Loaded on the first QR code, not at start: qrcode and pngjs are ~1 MB of heap few pages use.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

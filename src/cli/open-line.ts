// The one plain line `sundial serve` prints on stderr once it listens (issue 12 item 11): where to
// open the preferences page, in words a first-time user reads — the JSON log line "Sundial
// listening" is for machines. Like the admin password, it never goes into the structured log.
import os from 'node:os';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);
const ALL_INTERFACES = new Set(['0.0.0.0', '::']);

/**
 * `url` is the address the server listens on (RunningServer.url: "localhost" for 0.0.0.0);
 * `host` the configured --host; `baseUrl` the public address, when set (behind a proxy).
 * `addresses` is injectable for tests: this machine's non-internal IPv4 addresses by default.
 */
export function openLine(url: string, host: string, baseUrl: string | null, addresses: () => string[] = lanAddresses): string {
  if (baseUrl) return `Open ${baseUrl.replace(/\/$/, '')}/ in a browser (Sundial listens at ${url}/).`;
  const local = `Open ${url}/ in a browser to manage users, calendars and subscription links`;
  if (LOOPBACK.has(host)) return `${local} (only this computer can connect; --host 0.0.0.0 lets phones on your network in).`;
  if (ALL_INTERFACES.has(host)) {
    const { protocol, port } = new URL(url);
    const others = addresses().map((a) => `${protocol}//${a}:${port}/`);
    return others.length ? `${local}; from other devices: ${others.join(' or ')}` : `${local}.`;
  }
  return `${local}.`;
}

function lanAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

// The origin ("scheme://host[:port]") of a request, for the absolute URLs built from it when
// SUNDIAL_BASE_URL is not set: DAV hrefs, the Apple profile, a device's DAVx5 URI. host-header.ts
// has already refused a request whose Host (or trusted X-Forwarded-Host/-Proto) would make an
// origin the URL parser cannot read, so what this returns always parses.
import type { Context } from 'koa';

/**
 * The request's origin. Without a host (an HTTP/1.0 request may omit Host, host-header.ts) the
 * authority is the connection's local address and port, as RFC 9112 §3.3 reconstructs the
 * target URI "if no Host header field is supplied" and no default name is configured.
 */
export function requestOrigin(ctx: Context): string {
  const host = ctx.host;
  return `${ctx.protocol}://${host === '' ? localAuthority(ctx) : host}`;
}

function localAuthority(ctx: Context): string {
  const { localAddress, localPort } = ctx.req.socket;
  if (!localAddress || !localPort) return 'localhost';
  // An IPv6 address (also "::ffff:127.0.0.1") goes in brackets (RFC 3986 §3.2.2 IP-literal),
  // without a zone ("fe80::1%eth0"), which a URL cannot hold.
  const address = localAddress.split('%', 1)[0]!;
  return `${address.includes(':') ? `[${address}]` : address}:${localPort}`;
}

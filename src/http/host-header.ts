// The Host header checked before anything reads it. Links the server hands out (the Apple
// profile, a device's DAVx5 login URI and QR code, DAV hrefs, redirects) are built from the host
// of the request unless SUNDIAL_BASE_URL is set; a Host no URL parser accepts (`[::1`, `x:abc`,
// `a b`, empty, 3000 characters) made those answer 500, one of them after storing a device.
//
// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
// request message that lacks a Host header field and to any request message that contains more
// than one Host header field line or a Host header field with an invalid field value." Its value
// is `uri-host [ ":" port ]` (RFC 9110 §7.2), uri-host being RFC 3986 §3.2.2's host. An HTTP/1.0
// request may omit it; its links then name the connection's local address (origin.ts).
import type { Context, Middleware, Next } from 'koa';

/**
 * RFC 3986 §3.2.2: host = IP-literal / IPv4address / reg-name, port = *DIGIT. IPv4address is a
 * reg-name by its characters, so two forms are told apart here: an IP-literal in brackets
 * (IPv6address, whose exact form the URL parser below checks, or IPvFuture), and a reg-name of
 * unreserved, pct-encoded and sub-delims characters. The alternatives of the reg-name share no
 * character ("%" starts only the pct-encoded one): linear time, whatever the input.
 */
const HOST = /^(?:\[(?:[0-9A-Fa-f:.]+|[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::([0-9]*))?$/;

/**
 * 255 characters: a DNS name has at most 255 octets (RFC 1035 §2.3.4), so no real server is named
 * by a longer one, and every link built from it stays small enough for a QR code (a device's
 * DAVx5 URI holds the host, the user name and the app password). Checked before the expression.
 */
const MAX_NAME = 255;
/** ":" and a port of at most 5 digits. */
const MAX_HOST = MAX_NAME + 6;

/**
 * Why `value` is no valid Host (or X-Forwarded-Host) value, or null when it is one. Empty is
 * invalid: an "http" or "https" URI with an empty host is invalid (RFC 9110 §4.2.1, §4.2.2), and
 * every resource of this server is one.
 */
export function invalidHost(value: string): string | null {
  if (value === '') return 'it is empty';
  if (value.length > MAX_HOST) return `it is longer than ${MAX_HOST} characters`;
  const m = HOST.exec(value);
  if (!m) return 'it is not a host name, IPv4 address or bracketed IPv6 address with an optional numeric port (RFC 3986 §3.2.2)';
  const port = m[1];
  if (port === undefined ? value.length > MAX_NAME : value.length - port.length - 1 > MAX_NAME) return `its name is longer than ${MAX_NAME} characters (RFC 1035 §2.3.4)`;
  // A TCP port is 16 bits (RFC 9293 §3.1); the URL parser refuses larger ones too.
  if (port !== undefined && port !== '' && (port.length > 5 || Number(port) > 65535)) return 'its port is above 65535';
  // The grammar allows what the WHATWG URL parser, which every link of ours goes through,
  // refuses: a malformed IPv6 address, "1.2.3.999" (read as an IPv4 address), invalid punycode,
  // "%00". Such a Host names no server a client can reach; refused, so links never fail.
  if (!URL.canParse(`http://${value}/`)) return 'it is not a host a URL can hold';
  return null;
}

/** The header's lines as sent (Node keeps only the first of repeated Host lines in req.headers). */
function hostLines(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}

function refuse(ctx: Context, reason: string): void {
  ctx.status = 400;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  // The value itself is not echoed: it is the client's, and may be 3000 characters.
  ctx.body = `Bad Request: ${reason} (RFC 9112 §3.2)`;
}

/**
 * Answers 400 to a request whose Host is missing (HTTP/1.1 and later), repeated or invalid, and,
 * behind a trusted proxy (SUNDIAL_TRUST_PROXY), to one whose X-Forwarded-Host or
 * X-Forwarded-Proto, which then name the host and scheme of the links, is invalid: the same
 * check for the host actually used.
 */
export function hostCheck(opts: { trustProxy: boolean }): Middleware {
  // Clients send the same Host on every request: the last value found valid is not checked again.
  let lastValid = '';
  const valid = (value: string): string | null => {
    if (value === lastValid) return null;
    const why = invalidHost(value);
    if (why === null) lastValid = value;
    return why;
  };
  return async function hostCheckMiddleware(ctx: Context, next: Next): Promise<void> {
    const req = ctx.req;
    const host = req.headers.host;
    if (host === undefined) {
      if (req.httpVersionMajor > 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)) return refuse(ctx, 'an HTTP/1.1 request needs a Host header');
    } else {
      if (hostLines(req.rawHeaders) > 1) return refuse(ctx, 'more than one Host header');
      // Koa's ctx.host is the first comma-separated part of the value: a reg-name may hold ","
      // (RFC 3986 §3.2.2 sub-delims), so that part is checked too (",x" would leave it empty).
      const why = valid(host) ?? (host.includes(',') ? valid(host.split(',', 1)[0]!.trim()) : null);
      if (why !== null) return refuse(ctx, `the Host header is invalid: ${why}`);
    }
    if (opts.trustProxy) {
      // Koa takes the first of the comma-separated values of each (koa/lib/request.js host, protocol).
      const forwarded = req.headers['x-forwarded-host'];
      if (typeof forwarded === 'string') {
        const why = valid(forwarded.split(',', 1)[0]!.trim());
        if (why !== null) return refuse(ctx, `X-Forwarded-Host is invalid: ${why}`);
      }
      const proto = req.headers['x-forwarded-proto'];
      if (typeof proto === 'string' && !/^https?$/i.test(proto.split(',', 1)[0]!.trim())) return refuse(ctx, 'X-Forwarded-Proto is neither http nor https');
    }
    return next();
  };
}

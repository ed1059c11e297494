// A request written byte for byte on a plain TCP socket: Node's http client and fetch refuse to
// send some hostile heads (an empty or repeated Host, none at all, HTTP/1.0), which a server must
// still answer correctly. One request per connection (Connection: close); the answer is read to
// the end of the connection, a chunked body decoded.
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated ones joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  path: string;
  /** Header lines as sent, in order, e.g. ['Host: x', 'Host: y']. No Connection line needed. */
  lines: string[];
  body?: string;
  /** "HTTP/1.1" unless given. */
  version?: string;
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(data.subarray(i, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function rawHttp(port: number, req: RawRequest): Promise<RawResponse> {
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  const head = [`${req.method} ${req.path} ${req.version ?? 'HTTP/1.1'}`, ...req.lines, 'Connection: close', ...(body ? [`Content-Length: ${body.length}`] : []), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no complete answer: ${JSON.stringify(all.toString('latin1').slice(0, 200))}`));
      const [statusLine, ...headerLines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const rest = all.subarray(split + 4);
      const bytes = /chunked/i.test(headers['transfer-encoding'] ?? '') ? dechunk(rest) : rest;
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: bytes.toString('utf8') });
    });
    socket.write(head);
    if (body) socket.write(body);
  });
}

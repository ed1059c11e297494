// A tiny TCP proxy for fault tests (issue 18 item 5): Sundial talks to PostgreSQL through it, and
// the test cuts the line (every connection dropped, new ones refused, as while the server
// restarts), stalls it (connections accepted and never answered, as a host that is down behind
// a firewall that drops packets) and restores it, on the same port.
import net from 'node:net';

export interface TcpProxy {
  /** The port the proxy listens on (stays the same across cut and restore). */
  readonly port: number;
  /** Connections forwarded since the start (opened towards the target). */
  readonly forwarded: number;
  /** Drops every connection and refuses new ones (ECONNREFUSED). */
  cut(): Promise<void>;
  /** Drops every connection; new ones are accepted but never forwarded or answered. */
  stall(): Promise<void>;
  /** Forwards new connections again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let mode: 'forward' | 'stall' = 'forward';
  let forwarded = 0;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const onConnection = (client: net.Socket) => {
    track(client);
    if (mode === 'stall') return; // held open, never answered
    forwarded++;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  let server = net.createServer(onConnection);
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  const stopListening = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const port = await listen(0);
  return {
    port,
    get forwarded() { return forwarded; },
    async cut() {
      const closed = stopListening();
      dropAll();
      await closed;
    },
    async stall() {
      mode = 'stall';
      dropAll();
      if (!server.listening) {
        server = net.createServer(onConnection);
        await listen(port);
      }
    },
    async restore() {
      mode = 'forward';
      // Stalled connections were never forwarded: drop them so their clients fail now.
      dropAll();
      if (!server.listening) {
        server = net.createServer(onConnection);
        await listen(port);
      }
    },
    async close() {
      const closed = stopListening();
      dropAll();
      await closed;
    },
  };
}

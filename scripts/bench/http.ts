// Minimal HTTP client for the bench: keep-alive agent, Basic auth on every request, whole body
// read as a string, latency measured from request start to the last body byte.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface RequestOptions {
  method: string;
  /** Absolute URL or a path resolved against the client's base URL. */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Read the answer and drop it (`body` is ''): for the timed runs whose answers are not verified.
   * Joining and decoding 900 answers of 16 KB per DAVx5 sync was the bench's own work, and the
   * garbage it left made the client slower between requests, which a sequential client's
   * figure counts.
   */
  discard?: boolean;
  /**
   * Called with the answer's text as it arrives, chunk by chunk (decoded without splitting a
   * character), before the request completes: for a client that acts on a listing while it is
   * still being received (fetch-batches.ts listAndFetch).
   */
  onText?: (text: string) => void;
}

export class DavClient {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: string;
  private readonly mod: typeof http | typeof https;
  /** Origins (`http://host:port`) to spread requests over, round-robin per request; see spreadOver. */
  private origins: string[] = [];
  private next = 0;

  constructor(baseUrl: string, user: string, password: string, maxSockets = 32) {
    this.base = new URL(baseUrl);
    this.mod = this.base.protocol === 'https:' ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  /**
   * Sends each request for the base URL's origin to the next of `origins` in turn (several Sundial
   * processes over one PostgreSQL database, scripts/bench/stores.ts): the same paths on every
   * process, balanced per request as nginx's upstream round-robin does, without a proxy hop.
   */
  spreadOver(origins: readonly string[]): void {
    this.origins = origins.map((o) => new URL(o).origin);
  }

  /**
   * A keep-alive socket the server closes (its 5 s idle timeout) just as a request is written on
   * it fails with "socket hang up" / ECONNRESET. Clients retry such a request once on a new
   * connection (OkHttp's retryOnConnectionFailure; Node's docs on `request.reusedSocket`), and
   * so does the bench: a poll right after a variant that left one of two sockets idle lost its
   * figure this way (2026-12-07). A request on a fresh socket is never retried.
   */
  request(opts: RequestOptions, retried = false): Promise<Reply> {
    return this.send(opts).catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
      if (retried || !err.reusedSocket || (err.code !== 'ECONNRESET' && err.message !== 'socket hang up')) throw err;
      return this.request(opts, true);
    });
  }

  private send(opts: RequestOptions): Promise<Reply> {
    const url = this.urlOf(opts.url);
    if (this.origins.length > 1 && url.origin === this.base.origin) {
      const to = new URL(this.origins[this.next++ % this.origins.length]!);
      url.protocol = to.protocol;
      url.host = to.host;
    }
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body, 'utf8');
    const headers: Record<string, string | number> = { Authorization: this.auth, ...opts.headers };
    if (body) headers['Content-Length'] = body.length;
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = this.mod.request(url, { method: opts.method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        const keep = !opts.discard;
        const onText = opts.onText;
        const decoder = onText ? new StringDecoder('utf8') : null;
        // A throwing callback fails this request, not the process (it runs in an event handler).
        const feed = (text: string): boolean => {
          try {
            onText!(text);
            return true;
          } catch (err) {
            res.destroy(err as Error);
            reject(err);
            return false;
          }
        };
        res.on('data', (c: Buffer) => {
          if (keep) chunks.push(c);
          if (decoder) feed(decoder.write(c));
        });
        res.on('end', () => {
          if (decoder && !feed(decoder.end())) return;
          // Taken before the body is joined and decoded: those ~5–10 ms for a 3 MB listing are
          // the bench's own work, not the server's (they were counted in until 2026-12-06).
          const ms = performance.now() - t0;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: keep ? Buffer.concat(chunks).toString('utf8') : '', ms });
        });
        res.on('error', reject);
      });
      req.on('error', (err: Error & { reusedSocket?: boolean }) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(body);
    });
  }

  /** The parsed URL of a request; the last one is reused (a phase sends many requests to one URL). */
  private last: { spec: string; url: URL } | null = null;

  private urlOf(spec: string): URL {
    if (this.origins.length > 1) return new URL(spec, this.base); // changed per request below
    if (this.last?.spec === spec) return this.last.url;
    const url = new URL(spec, this.base);
    this.last = { spec, url };
    return url;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs fn over items with at most `concurrency` in flight; results in item order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** Calls fn from `concurrency` loops until `seconds` have passed; returns each call's latency. */
export async function closedLoop(seconds: number, concurrency: number, fn: (worker: number, i: number) => Promise<number>): Promise<{ latencies: number[]; elapsed: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const stopAt = t0 + seconds * 1000;
  let i = 0;
  const worker = async (w: number) => {
    while (performance.now() < stopAt) latencies.push(await fn(w, i++));
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { latencies, elapsed: (performance.now() - t0) / 1000 };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

// Collects a response body in chunks of about 64 KB for streaming. Text stays text (the socket
// encodes it) until a property element arrives already encoded — cached calendar-data, kept as
// UTF-8 Buffers — after which everything is written into 64 KB Buffers and each cached rendering
// is copied once (or, when large, passed on as is). Measured on a warm one-month expand at N=9000
// (761 responses, 2.2 MB): building that body as strings and encoding it at the socket spent ~4 ms
// per response re-flattening and re-encoding renderings that had not changed since the last query.
import type { XmlSink } from './serialize.js';

export const CHUNK_BYTES = 64 * 1024;

export type Chunk = string | Buffer;

export class ChunkedWriter implements XmlSink {
  private str = '';
  private buf: Buffer | null = null;
  private at = 0;
  private done: Chunk[] = [];

  text(s: string): void {
    if (this.buf === null) {
      // The chunk is closed before it would pass CHUNK_BYTES, not after: a chunk a little over the
      // bound was cut again by multistatus.ts `bounded`, whose charCodeAt and slice flattened the
      // 64 KB string tree there and sent its few hundred bytes of tail as a chunk of their own
      // (`bounded` was 4–9% of a listing's and of a large multiget's server time).
      if (this.str.length > 0 && this.str.length + s.length > CHUNK_BYTES) {
        this.done.push(this.str);
        this.str = '';
      }
      this.str += s;
      if (this.str.length >= CHUNK_BYTES) {
        this.done.push(this.str);
        this.str = '';
      }
      return;
    }
    if (s.length === 0) return;
    const most = s.length * 3; // UTF-8 bytes per UTF-16 code unit, at most
    if (this.at + most > CHUNK_BYTES) {
      this.flush();
      if (most > CHUNK_BYTES) {
        this.done.push(s);
        return;
      }
    }
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  bytes(b: Buffer): void {
    if (this.buf === null) {
      // From here on, text is written into Buffers too, behind the text so far.
      if (this.str.length > 0) this.done.push(this.str);
      this.str = '';
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    if (this.at + b.length > CHUNK_BYTES) {
      this.flush();
      // Large enough to be a chunk of its own: sent as is (cached bytes are never modified).
      if (b.length >= CHUNK_BYTES / 4) {
        this.done.push(b);
        return;
      }
    }
    // TypedArray#set rather than Buffer#copy: the same memcpy without copy()'s argument handling
    // in JavaScript, measured 3–4× faster for these 1–3 KB renderings.
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** The completed chunks so far (the one being filled stays). */
  takeFull(): Chunk[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  /** Everything written and not yet taken. */
  takeAll(): Chunk[] {
    if (this.buf === null) {
      if (this.str.length > 0) this.done.push(this.str);
      this.str = '';
    } else {
      this.flush();
    }
    return this.takeFull();
  }

  private flush(): void {
    if (this.at === 0) return;
    this.done.push(this.buf!.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.at = 0;
  }
}

/** Chunks as one body: the string when there is just one, else one Buffer. */
export function joinChunks(chunks: readonly Chunk[]): string | Buffer {
  if (chunks.length === 1 && typeof chunks[0] === 'string') return chunks[0];
  return chunksToBuffer(chunks);
}

/**
 * Chunks copied into one Buffer. `own`: an allocation of its own rather than (for small sizes) a
 * slice of Node's shared pool, which a cached Buffer would keep alive whole.
 */
export function chunksToBuffer(chunks: readonly Chunk[], own = false): Buffer {
  let size = 0;
  for (const c of chunks) size += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  const out = own ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
  let at = 0;
  for (const c of chunks) {
    if (typeof c === 'string') at += out.write(c, at, 'utf8');
    else {
      out.set(c, at);
      at += c.length;
    }
  }
  return out;
}

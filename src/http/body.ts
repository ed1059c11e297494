// Reads a request body into memory with a hard size limit. A declared Content-Length above the
// limit is refused before reading; a body that grows past it while streaming is cut off.
// Plain 'data'/'end' listeners rather than an async iterator over the request: the iterator's
// per-request setup (end-of-stream tracking, abort signals) cost more than reading a small
// PROPFIND body itself.
import type { Context } from 'koa';
import { DavError } from '../dav/errors.js';

export function readBody(ctx: Context, limit: number, tooLarge: () => Error = () => new DavError(413, null, `Request body larger than ${limit} bytes`)): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || NaN);
  if (Number.isFinite(declared) && declared > limit) {
    // Don't make the client upload what we will refuse; close after answering.
    ctx.set('Connection', 'close');
    return Promise.reject(tooLarge());
  }
  const req = ctx.req;
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        ctx.set('Connection', 'close');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    // A stream error here is the client's doing (the connection reset or the body malformed):
    // a 400, never our 500, keeping only the code for the debug line (errors.ts clientFault).
    const onError = (err: Error & { code?: string }) => {
      cleanup();
      reject(Object.assign(new Error(err.message === 'aborted' ? 'request aborted' : 'request body could not be read'), { status: 400, expose: false, code: err.code ?? 'ECONNRESET' }));
    };
    // The client went away before the body ended (an aborted upload).
    const onClose = () => {
      if (req.readableEnded) return;
      cleanup();
      reject(Object.assign(new Error('request aborted'), { status: 400, expose: false, code: 'ECONNRESET' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

// Reads a request body into memory with a hard size limit. A declared Content-Length above the
// limit is refused before reading; a body that grows past it while streaming is cut off.
import type { Context } from 'koa';
import { DavError } from '../dav/errors.js';

export async function readBody(ctx: Context, limit: number, tooLarge: () => Error = () => new DavError(413, null, `Request body larger than ${limit} bytes`)): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || NaN);
  if (Number.isFinite(declared) && declared > limit) {
    // Don't make the client upload what we will refuse; close after answering.
    ctx.set('Connection', 'close');
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.set('Connection', 'close');
      ctx.req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

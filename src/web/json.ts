// JSON bodies of the API: small, and only as application/json — a cross-site form cannot send
// that type without a CORS preflight, which Sundial never grants (a second line of CSRF defence
// after the token).
import type { Context } from 'koa';
import { ApiError } from '../http/errors.js';
import { readBody } from '../http/body.js';

export async function readJson(ctx: Context, limit = 64 * 1024): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'send application/json');
  const raw = await readBody(ctx, limit, () => new ApiError(413, 'too_large', 'request body too large'));
  // Strict UTF-8 (RFC 8259 §8.1): a lenient decode turned bad bytes into U+FFFD, stored as if sent.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not UTF-8');
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not a JSON object');
  }
}

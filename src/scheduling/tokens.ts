// Signed Accept/Decline links of iMIP invitations (issue 15 item 5): one token per attendee and
// event, HMAC-SHA256 under a secret kept in the database (SchedulingStore.schedulingSecret, made
// on first use), with an expiry. Nothing is stored per token: a forged, altered or expired token
// fails verification and the page refuses it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/types.js';

export interface ReplyClaim {
  /** The organizer (a Sundial user id) and the UID of the event. */
  organizerId: number;
  uid: string;
  /** The outside attendee's normalized address (mailto:…). */
  attendee: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export type Verified = { ok: true; claim: ReplyClaim } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** Tokens are bounded before any work: a 4 KB one is no link Sundial made. */
const MAX_TOKEN = 4096;

export class ReplyTokens {
  private secret: Buffer | null = null;
  constructor(private readonly store: Store, private readonly validDays: number) {}

  private async key(): Promise<Buffer> {
    this.secret ??= await this.store.schedulingSecret();
    return this.secret;
  }

  async sign(claim: Omit<ReplyClaim, 'exp'>, now = Date.now()): Promise<string> {
    const body: ReplyClaim = { ...claim, exp: Math.floor(now / 1000) + this.validDays * 86400 };
    const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
    return `${payload}.${this.mac(await this.key(), payload)}`;
  }

  async verify(token: string, now = Date.now()): Promise<Verified> {
    if (token.length > MAX_TOKEN) return { ok: false, reason: 'malformed' };
    const dot = token.indexOf('.');
    if (dot <= 0) return { ok: false, reason: 'malformed' };
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(await this.key(), payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    let claim: ReplyClaim;
    try {
      claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ReplyClaim;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claim.organizerId !== 'number' || typeof claim.uid !== 'string' || typeof claim.attendee !== 'string' || typeof claim.exp !== 'number') return { ok: false, reason: 'malformed' };
    if (claim.exp * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true, claim };
  }

  private mac(key: Buffer, payload: string): string {
    return createHmac('sha256', key).update('sundial-imip-reply\0' + payload).digest('base64url');
  }
}

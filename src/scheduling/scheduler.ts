// What scheduling needs between requests, built once per app at the composition root (app.ts):
// the directory of calendar users, the iMIP mailer, the reply-link signer and the limits. Handed
// to dav/ in DavServices, to the reply page and to the outbox.
import type { Logger } from '../log.js';
import type { ObjectInput, Store, User } from '../store/types.js';
import type { ObjectLimits } from '../ical/limits.js';
import { validateCalendarObject } from '../ical/validate.js';
import type { Directory } from './directory.js';
import type { ImipMailer, OutgoingImip } from './imip.js';
import type { ReplyTokens } from './tokens.js';

export interface SchedulingLimits {
  /** Most distinct attendees one scheduling object may name (RFC 4791 §5.2.9 max-attendees-per-instance). */
  maxAttendees: number;
  /** Most iMIP mails one user may cause per hour (mail flooding through invitations). */
  mailsPerHour: number;
}

export class Scheduler {
  constructor(
    readonly store: Store,
    readonly directory: Directory,
    readonly mailer: ImipMailer,
    readonly tokens: ReplyTokens,
    readonly limits: SchedulingLimits,
    private readonly objectLimits: ObjectLimits,
    private readonly log: () => Logger,
  ) {}

  /**
   * What the store keeps for a copy the server writes (an attendee's copy, the organizer's copy
   * with a reply merged): validated like a PUT (RFC 4791 §5.3.2), with the same columns.
   */
  copyInput(name: string, data: Buffer): ObjectInput {
    const info = validateCalendarObject(data, { allowedComponents: ['VEVENT', 'VTODO'], exactInstance: true, limits: this.objectLimits });
    return { name, data, contentType: 'text/calendar; charset=utf-8; component=' + info.componentType.toLowerCase(), uid: info.uid, componentType: info.componentType, firstStart: info.firstStart, lastEnd: info.lastEnd, instanceStart: info.instanceStart ?? null, instanceEnd: info.instanceEnd ?? null };
  }

  /**
   * Sends iMIP mails after the write that produced them has committed (never inside the
   * transaction: an SMTP server that hangs must not hold the database). A failed send is
   * written into the organizer's SCHEDULE-STATUS (5.1) by `onFailure`; it never fails the request.
   */
  afterCommit(mails: OutgoingImip[], onFailure: (failed: OutgoingImip[]) => Promise<void>): void {
    if (mails.length === 0) return;
    void (async () => {
      const failed: OutgoingImip[] = [];
      for (const m of mails) {
        try {
          await this.mailer.send(m);
        } catch (err) {
          this.log().warn({ err: (err as Error).message, to: m.to }, 'iMIP mail not sent');
          failed.push(m);
        }
      }
      if (failed.length > 0) {
        try {
          await onFailure(failed);
        } catch (err) {
          this.log().warn({ err: (err as Error).message }, 'could not record the iMIP failure in SCHEDULE-STATUS');
        }
      }
    })();
  }

  /**
   * Whether `userId` may cause one more iMIP mail this hour (counts it). Counted in the store
   * (store/counters.ts), so the limit holds for the user whatever process serves them (issue 18
   * item 3); a refused mail counts too, which changes nothing once the limit is reached.
   */
  async allowMail(userId: number, now = Date.now()): Promise<boolean> {
    const hour = Math.floor(now / 3_600_000);
    const [count] = await this.store.bumpCounters([JSON.stringify(['imip', userId, hour])], (hour + 1) * 3_600_000, now);
    if (count! > this.limits.mailsPerHour) {
      this.log().warn({ userId, limit: this.limits.mailsPerHour }, 'iMIP mail limit reached for this hour');
      return false;
    }
    return true;
  }

  /** The user's own calendar taking events where invitations land (RFC 6638 §9.2 schedule-default-calendar-URL). */
  async defaultCalendar(user: User): Promise<{ id: number; uri: string } | null> {
    const instances = await this.store.listInstances(user.id);
    const own = instances.filter((i) => i.access === 'owner' && i.collection.components.includes('VEVENT'));
    const pick = own.find((i) => i.uri === 'personal') ?? own[0];
    return pick ? { id: pick.collection.id, uri: pick.uri } : null;
  }
}

// iMIP (RFC 6047): iTIP messages to attendees and organizers outside Sundial, as e-mail through
// SMTP (nodemailer). The mail is multipart/mixed: a multipart/alternative of text/plain,
// text/html and text/calendar; method=… (RFC 6047 §2.4: the iCalendar body part carries the
// method), and the same object as an .ics attachment for mail clients that show only attachments.
import type { Transporter } from 'nodemailer';

export interface OutgoingImip {
  /** Bare e-mail address of the recipient. */
  to: string;
  /** Calendar user address the mail is for (mailto:…), to record a failure in SCHEDULE-STATUS. */
  address: string;
  method: 'REQUEST' | 'CANCEL' | 'REPLY';
  subject: string;
  text: string;
  html: string;
  ics: string;
  /** Display name shown in From (the organizer or the replying attendee). */
  fromName?: string | undefined;
}

export interface ImipMailer {
  /** False when no SMTP server is configured: nothing can leave the server (SCHEDULE-STATUS 5.1). */
  readonly enabled: boolean;
  send(mail: OutgoingImip): Promise<void>;
}

/** No SMTP configured. */
export const NO_MAIL: ImipMailer = {
  enabled: false,
  async send() {
    throw new Error('no SMTP server configured (SUNDIAL_SMTP_URL)');
  },
};

export class SmtpMailer implements ImipMailer {
  readonly enabled = true;
  /** Made at the first send: nodemailer (~4 MB of heap and code) is loaded only by a server that mails. */
  private transport: Promise<Transporter> | null = null;
  private closed = false;
  constructor(private readonly smtpUrl: string, private readonly from: string) {}

  private connect(): Promise<Transporter> {
    // Timeouts so a hanging SMTP server cannot pile up sends; the sends run after the commit.
    this.transport ??= import('nodemailer').then(({ default: nodemailer }) => {
      const t = nodemailer.createTransport(this.smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
      if (this.closed) t.close();
      return t;
    });
    return this.transport;
  }

  async send(m: OutgoingImip): Promise<void> {
    const transport = await this.connect();
    await transport.sendMail({
      from: m.fromName ? { name: m.fromName, address: this.from } : this.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      icalEvent: { method: m.method, content: m.ics, filename: 'invite.ics' },
      attachments: [{ filename: m.method === 'REPLY' ? 'reply.ics' : 'invite.ics', content: m.ics, contentType: `application/ics; method=${m.method}` }],
    });
  }

  close(): void {
    this.closed = true;
    void this.transport?.then((t) => t.close());
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The human parts of an invitation or cancellation, with the reply links for an outsider. */
export function invitationBodies(opts: { method: 'REQUEST' | 'CANCEL'; summary: string; start: string | null; organizer: string; links?: { accept: string; decline: string } | undefined }): { subject: string; text: string; html: string } {
  const what = opts.summary || 'an event';
  const when = opts.start ? ` (${opts.start})` : '';
  if (opts.method === 'CANCEL') {
    const text = `${opts.organizer} cancelled ${what}${when}.\n`;
    return { subject: `Cancelled: ${what}`, text, html: `<p>${esc(text)}</p>` };
  }
  let text = `${opts.organizer} invites you to ${what}${when}.\n`;
  let html = `<p>${esc(opts.organizer)} invites you to <b>${esc(what)}</b>${esc(when)}.</p>`;
  if (opts.links) {
    text += `\nAccept: ${opts.links.accept}\nDecline: ${opts.links.decline}\n`;
    html += `<p><a href="${esc(opts.links.accept)}">Accept</a> &nbsp; <a href="${esc(opts.links.decline)}">Decline</a></p>`;
  }
  return { subject: `Invitation: ${what}`, text, html };
}

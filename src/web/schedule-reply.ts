// /schedule/reply: where the Accept/Decline links of an iMIP invitation lead (issue 15 item 5).
// No account: the signed token (scheduling/tokens.ts) names the organizer, the event and the
// outside attendee. GET only shows the question with a button — mail scanners and link previews
// fetch links, so a GET must never answer for anyone — and the POST of that form records the
// reply. Forged, altered and expired tokens get a page saying so (400 / 403 / 410).
import type { Context, Next } from 'koa';
import { readBody } from '../http/body.js';
import type { Scheduler } from '../scheduling/scheduler.js';
import { outsiderInvitation, recordOutsiderReply } from '../scheduling/implicit.js';

const PATH = '/schedule/reply';
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(ctx: Context, status: number, title: string, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`
    + `<title>${esc(title)}</title><style>body{font:16px system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em}button{font:inherit;padding:.5em 1.2em;margin-right:.5em}</style>`
    + `</head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

const REFUSED = {
  malformed: [400, 'This link is not valid', 'The link is incomplete or damaged. Open it again from the invitation mail.'],
  forged: [403, 'This link is not valid', 'The link was not issued by this server or has been changed.'],
  expired: [410, 'This link has expired', 'Answering through this link is no longer possible. Reply to the organizer directly.'],
} as const;

class FormTooLarge extends Error {}

export function scheduleReplyRoute(scheduler: Scheduler) {
  return async function scheduleReply(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD, POST');
      return;
    }
    let token: string;
    let answer: string;
    if (ctx.method === 'POST') {
      // The form holds a token and a word; a larger body is refused with a page like every other
      // answer here (readBody's default is a DAV error in XML, which a browser shows as code).
      let raw: Buffer;
      try {
        raw = await readBody(ctx, 8192, () => new FormTooLarge());
      } catch (err) {
        if (err instanceof FormTooLarge) return page(ctx, 413, 'This answer is too large', '<p>Open the link again from the invitation mail.</p>');
        throw err;
      }
      const form = new URLSearchParams(raw.toString('utf8'));
      token = form.get('token') ?? '';
      answer = form.get('answer') ?? '';
    } else {
      token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
      answer = typeof ctx.query.answer === 'string' ? ctx.query.answer : '';
    }
    const verified = await scheduler.tokens.verify(token);
    if (!verified.ok) {
      const [status, title, text] = REFUSED[verified.reason];
      return page(ctx, status, title, `<p>${esc(text)}</p>`);
    }
    const { claim } = verified;
    const partstat = answer === 'accept' ? 'ACCEPTED' : answer === 'decline' ? 'DECLINED' : null;
    if (ctx.method !== 'POST' || !partstat) {
      const state = await outsiderInvitation(scheduler, claim.organizerId, claim.uid, claim.attendee);
      if (!state.ok) return gone(ctx, state.reason);
      const hidden = `<input type="hidden" name="token" value="${esc(token)}">`;
      return page(ctx, 200, `Invitation: ${state.summary || 'an event'}`,
        `<p>Answer for ${esc(claim.attendee.replace(/^mailto:/, ''))}:</p><form method="post" action="${PATH}">${hidden}`
        + `<button name="answer" value="accept"${answer === 'accept' ? ' autofocus' : ''}>Accept</button>`
        + `<button name="answer" value="decline"${answer === 'decline' ? ' autofocus' : ''}>Decline</button></form>`);
    }
    const done = await recordOutsiderReply(scheduler, claim.organizerId, claim.uid, claim.attendee, partstat);
    if (!done.ok) return gone(ctx, done.reason);
    return page(ctx, 200, partstat === 'ACCEPTED' ? 'Accepted' : 'Declined', `<p>Your answer to “${esc(done.summary || 'the event')}” was sent to the organizer.</p>`);
  };
}

function gone(ctx: Context, reason: 'gone' | 'not-attendee'): void {
  if (reason === 'gone') return page(ctx, 410, 'This event no longer exists', '<p>The organizer has deleted it.</p>');
  return page(ctx, 403, 'You are no longer invited', '<p>The organizer removed you from this event.</p>');
}

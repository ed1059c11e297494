// iMIP to attendees outside Sundial (issue 15 item 5; RFC 6047): a local SMTP sink on an
// ephemeral port receives the invitation; its MIME structure is checked with mailparser; the
// Accept/Decline links record the outsider's answer for the organizer without an account;
// forged, altered and expired links are refused; without SMTP, SCHEDULE-STATUS says 5.1.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '../helpers/server.js';
import { putIcs } from '../helpers/dav.js';
import { ReplyTokens } from '../../src/scheduling/tokens.js';
import { attendeeOf, cal, inbox, invite, paramOf, schedulingServer, unfold } from './helpers.js';

interface Mail { raw: Buffer; to: string[] }
interface Ctx { srv: TestServer; smtp: SMTPServer; mails: Mail[]; reject: Set<string> }
const t = suite<Ctx>('iMIP');

t.before(async (ctx) => {
  ctx.mails = [];
  ctx.reject = new Set();
  ctx.smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(address, _session, cb) {
      if (ctx.reject.has(address.address)) return cb(new Error('mailbox unavailable'));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        ctx.mails.push({ raw: Buffer.concat(chunks), to: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => ctx.smtp.listen(0, '127.0.0.1', resolve));
  const port = (ctx.smtp.server.address() as AddressInfo).port;
  ctx.srv = await schedulingServer({ SUNDIAL_SMTP_URL: `smtp://127.0.0.1:${port}`, SUNDIAL_SMTP_FROM: 'calendar@sundial.example' });
});
t.after(async (ctx) => {
  await ctx.srv.close();
  await new Promise<void>((resolve) => ctx.smtp.close(() => resolve()));
});

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t('an outside attendee gets multipart mail: text/plain, text/html, text/calendar; method=REQUEST and the .ics attachment', async (ctx) => {
  const { srv } = ctx;
  const res = await putIcs(srv, 'alice', cal('alice', 'x1.ics'), invite({ uid: 'x1@t', attendees: ['dora@outside.example', 'bob@example.com'], summary: 'Budget review' }));
  assert.is(res.status, 201, res.text);
  const mail = await waitFor(() => ctx.mails.find((m) => m.to.includes('dora@outside.example')), 'the invitation');
  const parsed = await simpleParser(mail.raw);
  assert.match(parsed.subject ?? '', /Budget review/);
  assert.match(String(parsed.from?.text), /calendar@sundial\.example/);
  assert.match(parsed.text ?? '', /Accept: http/);
  assert.match(String(parsed.html), /href="http[^"]*answer=decline/);
  // MIME structure: the raw headers of the parts.
  const raw = mail.raw.toString('utf8');
  assert.match(raw, /Content-Type: multipart\/mixed/i);
  assert.match(raw, /Content-Type: multipart\/alternative/i);
  assert.match(raw, /Content-Type: text\/plain/i);
  assert.match(raw, /Content-Type: text\/html/i);
  assert.match(raw, /Content-Type: text\/calendar; (charset=utf-8; )?method=REQUEST/i);
  const ics = parsed.attachments.find((a) => a.filename === 'invite.ics');
  assert.ok(ics, 'the .ics attachment');
  const icsText = ics!.content.toString('utf8');
  assert.match(icsText, /METHOD:REQUEST/);
  assert.match(icsText, /UID:x1@t/);
  assert.not.match(icsText, /SCHEDULE-STATUS/);
  assert.is(ctx.mails.filter((m) => m.to.includes('bob@example.com')).length, 0, 'Sundial users get no mail');
  const own = (await srv.request('GET', cal('alice', 'x1.ics'), { user: 'alice' })).text;
  assert.is(paramOf(attendeeOf(own, 'dora@outside.example'), 'SCHEDULE-STATUS'), '1.1');
  assert.is(paramOf(attendeeOf(own, 'bob@example.com'), 'SCHEDULE-STATUS'), '1.2');
});

function linkOf(text: string, answer: string): string {
  const m = new RegExp(`(http\\S*answer=${answer})`).exec(text);
  assert.ok(m, text);
  return m![1]!;
}

t('Accept link: GET shows a form and records nothing; POST records ACCEPTED for the organizer with a REPLY in her inbox', async (ctx) => {
  const { srv } = ctx;
  await putIcs(srv, 'alice', cal('alice', 'x2.ics'), invite({ uid: 'x2@t', attendees: ['erin@outside.example'], summary: 'Kick-off' }));
  const mail = await waitFor(() => ctx.mails.find((m) => m.to.includes('erin@outside.example')), 'the invitation');
  const link = linkOf((await simpleParser(mail.raw)).text ?? '', 'accept');
  const url = new URL(link);
  const page = await srv.request('GET', url.pathname + url.search);
  assert.is(page.status, 200);
  assert.match(page.text, /Kick-off/);
  assert.match(page.text, /<form method="post"/);
  const before = (await srv.request('GET', cal('alice', 'x2.ics'), { user: 'alice' })).text;
  assert.is(paramOf(attendeeOf(before, 'erin@outside.example'), 'PARTSTAT'), 'NEEDS-ACTION', 'a GET (a mail scanner) answers nothing');
  const token = url.searchParams.get('token')!;
  const done = await srv.request('POST', '/schedule/reply', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, answer: 'accept' }).toString() });
  assert.is(done.status, 200, done.text);
  const after = (await srv.request('GET', cal('alice', 'x2.ics'), { user: 'alice' })).text;
  assert.is(paramOf(attendeeOf(after, 'erin@outside.example'), 'PARTSTAT'), 'ACCEPTED');
  const box = await srv.request('PROPFIND', inbox('alice'), { user: 'alice', headers: { Depth: '1' } });
  assert.match(box.text, /\.ics</);
  // Declining later through the other link changes the answer.
  await srv.request('POST', '/schedule/reply', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, answer: 'decline' }).toString() });
  assert.is(paramOf(attendeeOf((await srv.request('GET', cal('alice', 'x2.ics'), { user: 'alice' })).text, 'erin@outside.example'), 'PARTSTAT'), 'DECLINED');
});

t('tampered, forged and expired tokens are refused with a page; nothing changes', async (ctx) => {
  const { srv } = ctx;
  await putIcs(srv, 'alice', cal('alice', 'x3.ics'), invite({ uid: 'x3@t', attendees: ['fay@outside.example'] }));
  const mail = await waitFor(() => ctx.mails.find((m) => m.to.includes('fay@outside.example')), 'the invitation');
  const token = new URL(linkOf((await simpleParser(mail.raw)).text ?? '', 'accept')).searchParams.get('token')!;
  const before = (await srv.request('GET', cal('alice', 'x3.ics'), { user: 'alice' })).text;
  const postReply = (tok: string) => srv.request('POST', '/schedule/reply', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tok, answer: 'accept' }).toString() });
  // Another attendee address in the payload, the signature kept.
  const [payload, mac] = token.split('.');
  const claim = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  claim.attendee = 'mailto:bob@example.com';
  const altered = await postReply(Buffer.from(JSON.stringify(claim)).toString('base64url') + '.' + mac);
  assert.is(altered.status, 403);
  assert.match(altered.text, /not valid/);
  // A token signed with another key.
  const otherKey = new ReplyTokens({ schedulingSecret: async () => Buffer.alloc(32, 7) } as never, 60);
  assert.is((await postReply(await otherKey.sign({ organizerId: claim.organizerId, uid: 'x3@t', attendee: 'mailto:fay@outside.example' }))).status, 403);
  // Expired: signed with the server's own key, 61 days ago.
  const ownKey = new ReplyTokens(srv.store, 60);
  const expired = await postReply(await ownKey.sign({ organizerId: claim.organizerId, uid: 'x3@t', attendee: 'mailto:fay@outside.example' }, Date.now() - 61 * 86_400_000));
  assert.is(expired.status, 410);
  assert.match(expired.text, /expired/);
  assert.is((await postReply('garbage')).status, 400);
  assert.is((await postReply('x'.repeat(5_000) + '.y')).status, 400);
  const tooLarge = await postReply('x'.repeat(10_000));
  assert.is(tooLarge.status, 413, 'the form body is bounded');
  assert.match(tooLarge.headers.get('content-type') ?? '', /text\/html/, 'a page, as every other answer of the reply route');
  assert.match(tooLarge.text, /too large/);
  assert.is((await srv.request('GET', cal('alice', 'x3.ics'), { user: 'alice' })).text, before, 'nothing changed');
  // A valid token of the server's own, for someone no longer invited: a REPLY from a non-attendee.
  const stranger = await postReply(await ownKey.sign({ organizerId: claim.organizerId, uid: 'x3@t', attendee: 'mailto:gus@outside.example' }));
  assert.is(stranger.status, 403);
  assert.is((await srv.request('GET', cal('alice', 'x3.ics'), { user: 'alice' })).text, before);
});

t('an SMTP refusal is recorded as SCHEDULE-STATUS 5.1 after the PUT succeeded', async (ctx) => {
  const { srv } = ctx;
  ctx.reject.add('hal@outside.example');
  const res = await putIcs(srv, 'alice', cal('alice', 'x4.ics'), invite({ uid: 'x4@t', attendees: ['hal@outside.example'] }));
  assert.is(res.status, 201);
  await waitFor(async () => {
    const own = (await srv.request('GET', cal('alice', 'x4.ics'), { user: 'alice' })).text;
    return paramOf(attendeeOf(own, 'hal@outside.example'), 'SCHEDULE-STATUS') === '5.1' ? true : undefined;
  }, 'SCHEDULE-STATUS 5.1');
});

t('organizer cancels: the outsider gets METHOD:CANCEL', async (ctx) => {
  const { srv } = ctx;
  await putIcs(srv, 'alice', cal('alice', 'x5.ics'), invite({ uid: 'x5@t', attendees: ['ida@outside.example'] }));
  await waitFor(() => ctx.mails.find((m) => m.to.includes('ida@outside.example')), 'the invitation');
  assert.is((await srv.request('DELETE', cal('alice', 'x5.ics'), { user: 'alice' })).status, 204);
  const cancel = await waitFor(() => ctx.mails.find((m) => m.to.includes('ida@outside.example') && /method=CANCEL/i.test(m.raw.toString())), 'the cancellation');
  const ics = (await simpleParser(cancel.raw)).attachments.find((a) => a.filename === 'invite.ics')!.content.toString('utf8');
  assert.ok(unfold(ics).includes('METHOD:CANCEL'));
  assert.ok(unfold(ics).includes('STATUS:CANCELLED'));
});

const noSmtp = suite<{ srv: TestServer }>('iMIP without SMTP');
noSmtp.before(async (ctx) => { ctx.srv = await schedulingServer(); });
noSmtp.after(async (ctx) => { await ctx.srv.close(); });
noSmtp('without SUNDIAL_SMTP_URL: the PUT succeeds, outsiders get SCHEDULE-STATUS 5.1, non-mailto strangers 3.7', async ({ srv }) => {
  const body = invite({ uid: 'n1@t', attendees: ['jo@outside.example'] }).replace('END:VEVENT', 'ATTENDEE;PARTSTAT=NEEDS-ACTION:urn:uuid:00000000-0000-0000-0000-000000000001\r\nEND:VEVENT');
  const res = await putIcs(srv, 'alice', cal('alice', 'n1.ics'), body);
  assert.is(res.status, 201, res.text);
  const own = (await srv.request('GET', cal('alice', 'n1.ics'), { user: 'alice' })).text;
  assert.is(paramOf(attendeeOf(own, 'jo@outside.example'), 'SCHEDULE-STATUS'), '5.1');
  const urn = unfold(own).find((l) => l.endsWith('urn:uuid:00000000-0000-0000-0000-000000000001'));
  assert.is(paramOf(urn, 'SCHEDULE-STATUS'), '3.7');
});

const limited = suite<{ srv: TestServer; smtp: SMTPServer; mails: Mail[] }>('iMIP mail limit');
limited.before(async (ctx) => {
  ctx.mails = [];
  ctx.smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { ctx.mails.push({ raw: Buffer.concat(chunks), to: session.envelope.rcptTo.map((r) => r.address) }); cb(); });
    },
  });
  await new Promise<void>((resolve) => ctx.smtp.listen(0, '127.0.0.1', resolve));
  const port = (ctx.smtp.server.address() as AddressInfo).port;
  ctx.srv = await schedulingServer({ SUNDIAL_SMTP_URL: `smtp://127.0.0.1:${port}`, SUNDIAL_IMIP_MAILS_PER_HOUR: '2' });
});
limited.after(async (ctx) => {
  await ctx.srv.close();
  await new Promise<void>((resolve) => ctx.smtp.close(() => resolve()));
});
limited('past SUNDIAL_IMIP_MAILS_PER_HOUR a user\'s invitations are not mailed: SCHEDULE-STATUS 5.1, the PUT still succeeds', async (ctx) => {
  const { srv } = ctx;
  const res = await putIcs(srv, 'alice', cal('alice', 'l1.ics'), invite({ uid: 'l1@t', attendees: ['o1@outside.example', 'o2@outside.example', 'o3@outside.example'] }));
  assert.is(res.status, 201, res.text);
  const own = (await srv.request('GET', cal('alice', 'l1.ics'), { user: 'alice' })).text;
  const statuses = ['o1', 'o2', 'o3'].map((o) => paramOf(attendeeOf(own, `${o}@outside.example`), 'SCHEDULE-STATUS'));
  assert.equal(statuses, ['1.1', '1.1', '5.1']);
  await waitFor(() => (ctx.mails.length >= 2 ? true : undefined), 'two mails');
  await new Promise((r) => setTimeout(r, 300));
  assert.is(ctx.mails.length, 2, 'the third was not sent');
  assert.ok(srv.logLines.some((l) => /iMIP mail limit reached/.test(l)), 'a warning is logged');
  // Another user has their own allowance.
  await putIcs(srv, 'bob', cal('bob', 'l2.ics'), invite({ uid: 'l2@t', organizer: 'bob@example.com', attendees: ['o4@outside.example'] }));
  await waitFor(() => (ctx.mails.some((m) => m.to.includes('o4@outside.example')) ? true : undefined), 'bob\'s mail');
});

t.run();
noSmtp.run();
limited.run();
